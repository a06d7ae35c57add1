package sse

import "syscall"

// maxConnsForFiles returns n, or fewer when the open-file limit cannot
// hold both ends of n connections in this process.
func maxConnsForFiles(n int) int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
		if m := int(lim.Cur/2) - 200; m < n {
			return m
		}
	}
	return n
}
