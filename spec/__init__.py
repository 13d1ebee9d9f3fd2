"""The TCP connection-management model of RFC 9293; knows TCP, nothing of search."""
