"""What `tcpverify report` writes into reports/, and the check that it has not drifted."""
