;;; clif-mode.el --- Major mode for CLIF, Gantry's and Cranelift's IR text  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Keywords: languages
;; Package-Requires: ((emacs "27.1"))

;;; Commentary:

;; Highlighting for .clif files: test headers, functions and signatures, declarations,
;; blocks, values, opcodes, types, numbers, condition codes, memory flags, trap codes,
;; source locations and the filetests' `; run:' / `; check:' directives; `;' comments.
;; The categories and faces are those of editors/highlight-categories.tsv.
;;
;; Install: (add-to-list 'load-path "/path/to/editors/emacs") (require 'clif-mode)

;;; Code:

(defgroup clif nil "CLIF, Gantry's and Cranelift's IR text." :group 'languages)

(defface clif-number '((t :inherit font-lock-constant-face))
  "Numbers: integers, hex and decimal floats, NaN and Inf." :group 'clif)
(defface clif-block '((t :inherit font-lock-function-name-face))
  "Block names." :group 'clif)
(defface clif-entity '((t :inherit font-lock-constant-face))
  "Entity names: stack slots, global values, signatures, function references..." :group 'clif)
(defface clif-srcloc '((t :inherit shadow))
  "Source locations (`@0012')." :group 'clif)
(defface clif-modifier '((t :inherit font-lock-keyword-face))
  "Memory flags, parameter attributes, calling conventions, `cold'." :group 'clif)
(defface clif-condition '((t :inherit font-lock-keyword-face))
  "Condition codes." :group 'clif)
(defface clif-trap-code '((t :inherit font-lock-warning-face))
  "Trap codes." :group 'clif)
(defface clif-setting '((t :inherit font-lock-variable-name-face))
  "Words of test, set and target lines." :group 'clif)

(defvar clif-mode-syntax-table
  (let ((st (make-syntax-table)))
    (modify-syntax-entry ?\; "<" st)
    (modify-syntax-entry ?\n ">" st)
    (modify-syntax-entry ?_ "_" st)
    (modify-syntax-entry ?% "_" st)
    (modify-syntax-entry ?\" "\"" st)
    ;; The standard table makes these symbol constituents; in CLIF they separate names
    ;; (`<ss0, 1>', `v0+8', `v3 -> v2').
    (dolist (c '(?< ?> ?+ ?- ?* ?= ?@ ?. ?:))
      (modify-syntax-entry c "." st))
    st)
  "Syntax table of `clif-mode': `;' starts a comment.")

(defconst clif--opcode-line-re
  (concat "^[ \t]*\\(?:@\\(?:[0-9a-fA-F]+\\|-\\)[ \t]+\\)?\\(?:<[^>\n]*>[ \t]*\\)?"
          "\\(?:\\(?:v[0-9]+[ \t]*,[ \t]*\\)*v[0-9]+[ \t]*=[ \t]*\\)?"
          "\\([A-Za-z_][A-Za-z0-9_]*\\)\\_>")
  "An instruction line's start; group 1 is the opcode.")

(defun clif--match-opcode (limit)
  "Find the next opcode before LIMIT for font-lock: not a block, value or `function',
and not a declaration's or header's name (followed by `=', `:', `->' or `(')."
  (let (found)
    (while (and (not found) (re-search-forward clif--opcode-line-re limit t))
      (let ((word (match-string 1)))
        (unless (or (string-match-p "\\`\\(?:block[0-9]+\\|v[0-9]+\\|function\\|test\\|set\\|target\\)\\'" word)
                    (looking-at-p "[ \t]*\\(?:=\\|:\\|->\\|(\\)"))
          (setq found t))))
    found))

(defconst clif-font-lock-keywords
  `(;; Headers: the keyword, then settings and numbers to the end of the line.
    ("^[ \t]*\\(test\\|set\\|target\\)\\_>"
     (1 font-lock-keyword-face)
     ("\\(\\_<[0-9]+\\_>\\)\\|\\([A-Za-z_][A-Za-z0-9_-]*\\)" nil nil
      (1 'clif-number nil t) (2 'clif-setting nil t)))
    ("^\\(function\\)\\_>" 1 font-lock-keyword-face)
    ;; Directives override the comment face.
    (";[ \t]*\\(?:run\\|print\\|check\\|sameln\\|nextln\\|unordered\\|not\\|regex\\|error\\|parse error\\|bin\\|dag\\):.*$"
     0 font-lock-preprocessor-face t)
    (clif--match-opcode 1 font-lock-builtin-face)
    ("%[A-Za-z0-9_]+" 0 font-lock-function-name-face)
    ("\\_<u[0-9]+:[0-9]+\\_>" 0 font-lock-function-name-face)
    ("@\\(?:[0-9a-fA-F]+\\|-\\)" 0 'clif-srcloc)
    ("\\_<block[0-9]+\\_>" 0 'clif-block)
    ("\\_<v[0-9]+\\_>" 0 font-lock-variable-name-face)
    ("\\_<\\(?:\\(?:ss\\|dss\\|gv\\|sig\\|fn\\|jt\\|const\\|region\\|dt\\|tag\\|ret\\|exn\\)[0-9]+\\|stack_limit\\)\\_>"
     0 'clif-entity)
    ("\\_<[if]\\(?:8\\|16\\|32\\|64\\|128\\)\\(?:x[0-9]+\\)?\\(?:xN\\)?\\_>" 0 font-lock-type-face)
    (,(concat "\\_<" (regexp-opt '("stk_ovf" "heap_oob" "int_ovf" "int_divz" "bad_toint")) "\\_>\\|\\_<user[0-9]+\\_>")
     0 'clif-trap-code)
    (,(concat "\\_<" (regexp-opt '("eq" "ne" "slt" "sge" "sgt" "sle" "ult" "uge" "ugt" "ule"
                                    "lt" "le" "gt" "ge" "uno" "ord" "one" "ueq") t) "\\_>")
     0 'clif-condition)
    (,(concat "\\_<" (regexp-opt '("notrap" "aligned" "readonly" "little" "big" "can_move" "checked"
                                    "colocated" "patchable" "uext" "sext" "vmctx" "sret" "sarg" "cold"
                                    "fast" "tail" "system_v" "windows_fastcall" "apple_aarch64"
                                    "probestack" "winch" "preserve_all") t) "\\_>")
     0 'clif-modifier)
    ("\\(?:[+-]\\|\\_<\\)\\(?:0[xX][0-9a-fA-F_]*\\(?:\\.[0-9a-fA-F_]*\\)?\\(?:[pP][+-]?[0-9]+\\)?\\|[0-9][0-9_]*\\(?:\\.[0-9_]*\\)?\\(?:[eE][+-]?[0-9]+\\)?\\|s?NaN\\(?::0[xX][0-9a-fA-F_]+\\)?\\|Inf\\)"
     0 'clif-number))
  "Font-lock rules of `clif-mode'.")

;;;###autoload
(define-derived-mode clif-mode prog-mode "CLIF"
  "Major mode for CLIF files (Gantry's and Cranelift's IR text)."
  :syntax-table clif-mode-syntax-table
  (setq-local comment-start "; ")
  (setq-local comment-start-skip ";+[ \t]*")
  (setq-local font-lock-defaults '(clif-font-lock-keywords)))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.clif\\'" . clif-mode))

(provide 'clif-mode)
;;; clif-mode.el ends here
