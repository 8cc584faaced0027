" CLIF: `;` comments, and one fold per function (from `function` to its closing `}`).
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

setlocal comments=:; commentstring=;\ %s
setlocal foldmethod=expr foldexpr=ClifFold(v:lnum)

if !exists('*ClifFold')
  function ClifFold(lnum) abort
    let line = getline(a:lnum)
    if line =~# '^function\>'
      return '>1'
    elseif line =~# '^}'
      return '<1'
    endif
    return '='
  endfunction
endif

let b:undo_ftplugin = 'setlocal comments< commentstring< foldmethod< foldexpr<'
