; CLIF highlights. The categories match the TextMate grammar (editors/vscode) and the vim
; syntax (editors/vim); editors/highlight-categories.tsv lists them side by side.

(comment) @comment
(directive) @keyword.directive

["function" "test" "set" "target"] @keyword

(test_line kind: (header_word) @property)
(target_line isa: (header_word) @property)
(setting name: (header_word) @property)
(setting value: (header_word) @property)

(name) @function
(user_name) @function
(opcode) @function.builtin

(type) @type
(value) @variable
(block) @label
(entity) @variable.builtin
(number) @number
(string) @string
(srcloc) @string.special

(call_conv) @attribute
(param_attribute) @attribute
"cold" @attribute
"stack_limit" @variable.builtin

((word) @keyword.operator
  (#any-of? @keyword.operator
    "eq" "ne" "slt" "sge" "sgt" "sle" "ult" "uge" "ugt" "ule"
    "lt" "le" "gt" "ge" "uno" "ord" "one" "ueq"))

((word) @attribute
  (#any-of? @attribute
    "notrap" "aligned" "readonly" "little" "big" "can_move" "checked" "colocated" "patchable"
    "uext" "sext" "vmctx" "sret" "sarg" "cold" "fast" "tail" "system_v" "windows_fastcall"
    "apple_aarch64" "probestack" "winch" "preserve_all"))

((word) @constant.builtin
  (#any-of? @constant.builtin "stk_ovf" "heap_oob" "int_ovf" "int_divz" "bad_toint"))
((word) @constant.builtin
  (#match? @constant.builtin "^user[0-9]+$"))

["=" "," ":" "->" "." "*" "@"] @punctuation.delimiter
["(" ")" "[" "]" "{" "}" "<" ">"] @punctuation.bracket
