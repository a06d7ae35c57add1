//go:build linux && (mips || mipsle || mips64 || mips64le)

package listen

// soReusePort is SO_REUSEPORT on Linux for MIPS, which package syscall
// does not define.
const soReusePort = 0x200
