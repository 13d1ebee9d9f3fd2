"""One endpoint: states, sequence arithmetic, segments, the TCB, the rules of RFC 9293 3.10 and the state graph that names them, and variants of that graph. Imports nothing else of the project."""
