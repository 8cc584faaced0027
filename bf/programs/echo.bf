[ Echo: copies standard input to standard output byte by byte until end of input
  (which reads as 0). ]
,[.,]
