" Vim syntax file
" Language: CLIF, the text form of Gantry's (and Cranelift's) intermediate representation
" The highlight groups match the TextMate grammar (editors/vscode) and the tree-sitter
" queries (editors/tree-sitter-clif); editors/highlight-categories.tsv lists them.

if exists('b:current_syntax')
  finish
endif

syntax case match

" Operands. For matches at one position the later definition wins; keywords win over
" matches.
syntax match clifNumber "\%([+-]\|\%([A-Za-z0-9_.]\)\@<!\)\%(0[xX][0-9a-fA-F_]*\%(\.[0-9a-fA-F_]*\)\=\%([pP][+-]\=\d\+\)\=\|\d[0-9_]*\%(\.[0-9_]*\)\=\%([eE][+-]\=\d\+\)\=\)"
syntax match clifNumber "\%([+-]\|\%([A-Za-z0-9_.]\)\@<!\)\%(s\=NaN\%(:0[xX][0-9a-fA-F_]\+\)\=\|Inf\)\>"
syntax match clifValue "\<v\d\+\>"
syntax match clifBlock "\<block\d\+\>"
syntax match clifEntity "\<\%(\%(ss\|dss\|gv\|sig\|fn\|jt\|const\|region\|dt\|tag\|ret\|exn\)\d\+\|stack_limit\)\>"
syntax match clifType "\<[if]\%(8\|16\|32\|64\|128\)\%(x\d\+\)\=\%(xN\)\=\>"
syntax match clifTrapCode "\<\%(stk_ovf\|heap_oob\|int_ovf\|int_divz\|bad_toint\|user\d\+\)\>"
syntax match clifFunctionName "%\w\+"
syntax match clifFunctionName "\<u\d\+:\d\+\>"
syntax match clifSrcLoc "@\%(\x\+\|-\)"
syntax region clifString start=+"+ skip=+\\.+ end=+"+ oneline
syntax keyword clifCondCode eq ne slt sge sgt sle ult uge ugt ule lt le gt ge uno ord one ueq
syntax keyword clifModifier notrap aligned readonly little big can_move checked colocated patchable
syntax keyword clifModifier uext sext vmctx sret sarg cold fast tail system_v windows_fastcall
syntax keyword clifModifier apple_aarch64 probestack winch preserve_all

" The opcode: the first word of an instruction line, after an optional source location,
" debug tags and results; not a declaration's or block header's name.
syntax match clifOpcode "\%(^\s*\%(@\%(\x\+\|-\)\s\+\)\=\%(<[^>]*>\s*\)\=\%(\%(v\d\+\s*,\s*\)*v\d\+\s*=\s*\)\=\)\@<=\%(block\d\+\>\|v\d\+\>\|function\>\)\@![A-Za-z_]\w*\>\%(\s*\%(=\|:\|->\|(\)\)\@!"

" Headers: `test run`, `set opt_level=speed`, `target x86_64 has_avx`.
syntax region clifHeader start="^\s*\%(test\|set\|target\)\>" end="$" keepend contains=clifSetting,clifNumber,clifKeyword,clifComment,clifDirective
syntax match clifSetting "[A-Za-z_][A-Za-z0-9_-]*" contained
syntax match clifKeyword "^\s*\zs\%(test\|set\|target\)\>" contained
syntax match clifKeyword "^\s*\zsfunction\>"

syntax match clifComment ";.*$" contains=@Spell
syntax match clifDirective ";\s*\%(run\|print\|check\|sameln\|nextln\|unordered\|not\|regex\|error\|parse error\|bin\|dag\):.*$"

highlight default link clifComment Comment
highlight default link clifDirective PreProc
highlight default link clifKeyword Keyword
highlight default link clifSetting Identifier
highlight default link clifFunctionName Function
highlight default link clifOpcode Statement
highlight default link clifType Type
highlight default link clifValue Identifier
highlight default link clifBlock Label
highlight default link clifEntity Special
highlight default link clifNumber Number
highlight default link clifString String
highlight default link clifSrcLoc SpecialComment
highlight default link clifModifier StorageClass
highlight default link clifCondCode Operator
highlight default link clifTrapCode Constant

let b:current_syntax = 'clif'
