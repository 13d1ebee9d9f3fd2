"""The wiring to checker/: runs, the default suite, expectation files and the mutation matrix."""
