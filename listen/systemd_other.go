//go:build !unix

package listen

const systemdSupported = false

func closeOnExec(int) {}
