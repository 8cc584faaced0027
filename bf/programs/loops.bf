[ A compute-heavy loop nest for timing: cell 3 is incremented 255 * 255 * 255 times,
  which leaves it at 255; adding 66 makes it 65 ("A"), printed with a newline. ]
-[>-[>-[>+<-]<-]<-]
>>> ++++++++++ ++++++++++ ++++++++++ ++++++++++ ++++++++++ ++++++++++ ++++++ .
> ++++++++++ .
