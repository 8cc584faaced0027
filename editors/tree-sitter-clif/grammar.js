/**
 * @file CLIF: the text form of Cranelift's (and Gantry's) intermediate representation.
 *
 * Line-oriented, as CLIF is written: a file is test, set and target lines, then
 * functions; a function body is one declaration, block header, instruction or value
 * alias per line. Instruction operands are kept flat (each token typed: values, blocks,
 * entities, types, numbers, names, words), so that every opcode's operand syntax,
 * current or older, parses; brackets and parentheses must balance.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const commaSep1 = (rule) => seq(rule, repeat(seq(',', rule)));

module.exports = grammar({
  name: 'clif',

  extras: ($) => [/[ \t\r\f]/, $.comment, $.directive],

  word: ($) => $.identifier,

  rules: {
    source_file: ($) => repeat(choice($._header, $.function, $._newline)),

    _newline: (_) => /\n/,

    // ---- Test-file headers ----------------------------------------------------------
    _header: ($) => seq(choice($.test_line, $.set_line, $.target_line), $._newline),
    test_line: ($) => seq('test', field('kind', $.header_word), repeat($.setting)),
    set_line: ($) => seq('set', repeat1($.setting)),
    target_line: ($) => seq('target', field('isa', $.header_word), repeat($.setting)),
    setting: ($) =>
      seq(field('name', $.header_word), optional(seq('=', field('value', choice($.header_word, $.number))))),
    header_word: (_) => /[A-Za-z_][A-Za-z0-9_\-]*/,

    // ---- Functions ------------------------------------------------------------------
    function: ($) =>
      seq(
        'function',
        field('name', $._function_name),
        field('signature', $.signature),
        '{',
        repeat(choice(seq($._line, $._newline), $._newline)),
        '}',
      ),
    _function_name: ($) => choice($.name, $.user_name),
    // Right-associative: in a declaration, a comma or word after the results continues
    // the signature.
    signature: ($) =>
      prec.right(
        seq(
          '(',
          optional(commaSep1($.abi_param)),
          ')',
          optional(seq('->', commaSep1($.abi_param))),
          optional($.call_conv),
        ),
      ),
    abi_param: ($) => prec.right(seq($.type, repeat($.param_attribute))),
    param_attribute: ($) => choice('uext', 'sext', 'vmctx', 'sret', seq('sarg', '(', $.number, ')')),
    call_conv: (_) =>
      choice('fast', 'cold', 'tail', 'system_v', 'windows_fastcall', 'apple_aarch64', 'probestack', 'winch', 'preserve_all'),

    _line: ($) => choice($.declaration, $.block_header, $.instruction, $.value_alias),

    // `ss0 = explicit_slot 16, align = 16`, `fn0 = colocated %f(i64) -> i64`,
    // `sig0 = (i32) -> i32 tail`, `gv1 = load.i64 notrap aligned gv0+8`, `stack_limit = gv2`.
    declaration: ($) =>
      seq(
        field('name', choice($.entity, 'stack_limit')),
        '=',
        repeat1(choice($._plain_token, $.signature, seq('.', field('type', $.type)))),
      ),

    // `block1(v3: i32, v4: f64):`, `block7 cold:`
    block_header: ($) =>
      seq(
        field('name', $.block),
        optional(seq('(', optional(commaSep1($.block_param)), ')')),
        optional('cold'),
        ':',
      ),
    block_param: ($) => seq($.value, ':', choice($.type, $.entity)),

    // `@0012 <ss0, 1> v3, v4 = opcode.i32 operands...`
    instruction: ($) =>
      seq(
        optional($.srcloc),
        optional($.debug_tags),
        optional(seq(field('results', $.results), '=')),
        field('opcode', alias($.identifier, $.opcode)),
        optional(seq('.', field('type', choice($.type, $.entity)))),
        repeat($._token),
      ),
    results: ($) => commaSep1($.value),
    debug_tags: ($) => seq('<', optional(commaSep1(choice($.entity, $.number))), '>'),

    // `v3 -> v2`
    value_alias: ($) => seq($.value, '->', $.value),

    // Operand tokens, balanced groups and lists.
    _token: ($) => choice($._plain_token, $.group),
    _plain_token: ($) =>
      choice(
        $.value,
        $.block,
        $.entity,
        $.type,
        $.number,
        $.name,
        $.user_name,
        $.string,
        $.srcloc,
        alias($.identifier, $.word),
        $.list,
        ',',
        ':',
        '=',
        '@',
        '*',
      ),
    group: ($) => seq('(', repeat($._token), ')'),
    list: ($) => seq('[', repeat($._token), ']'),
    // A word among the operands (an aliased identifier): condition codes, memory flags,
    // trap codes, atomic operations, slot kinds...

    // ---- Tokens ---------------------------------------------------------------------
    identifier: (_) => /[A-Za-z_][A-Za-z0-9_]*/,
    value: (_) => token(prec(2, /v[0-9]+/)),
    block: (_) => token(prec(2, /block[0-9]+/)),
    entity: (_) => token(prec(2, /(ss|dss|gv|sig|fn|jt|const|region|dt|tag|ret|exn)[0-9]+/)),
    type: (_) => token(prec(2, /[if](8|16|32|64|128)(x[0-9]+)?(xN)?/)),
    number: (_) =>
      token(
        prec(
          2,
          choice(
            /[+-]?0[xX][0-9a-fA-F_]*(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9]+)?/,
            /[+-]?[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9]+)?/,
            /[+-]?s?NaN(:0[xX][0-9a-fA-F_]+)?/,
            /[+-]?Inf/,
          ),
        ),
      ),
    name: (_) => /%[A-Za-z0-9_]+/,
    user_name: (_) => /u[0-9]+:[0-9]+/,
    srcloc: (_) => /@([0-9a-fA-F]+|-)/,
    string: (_) => /"([^"\\\n]|\\.)*"/,
    comment: (_) => token(seq(';', /[^\n]*/)),
    // `; run: %f(1) == 2`, `; check: ...` and the other filetest directives.
    directive: (_) =>
      token(
        prec(
          3,
          seq(
            ';',
            /[ \t]*/,
            choice('run', 'print', 'check', 'sameln', 'nextln', 'unordered', 'not', 'regex', 'error', 'parse error', 'bin', 'dag'),
            ':',
            /[^\n]*/,
          ),
        ),
      ),
  },
});
