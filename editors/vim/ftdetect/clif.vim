" CLIF files: the text form of Gantry's (and Cranelift's) IR.
autocmd BufRead,BufNewFile *.clif setfiletype clif
