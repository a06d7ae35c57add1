package http2

func init() { debugChecks = true }
