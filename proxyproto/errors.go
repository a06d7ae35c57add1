package proxyproto

import (
	"errors"
	"strconv"
)

var (
	// ErrNoTrustedPeers is returned by NewListener when Config.Trusted is
	// empty and Config.TrustUnix false: a listener that trusts nobody
	// would never read a header.
	ErrNoTrustedPeers = errors.New("proxyproto: Config.Trusted is empty")
	// ErrNoHeader is returned by ParseHeader when the data does not start
	// with a PROXY protocol signature (v1 "PROXY " or the 12-byte v2
	// signature); the listener closes a trusted peer's connection for it.
	ErrNoHeader = errors.New("proxyproto: no PROXY protocol header")
	// ErrTruncated is returned by ParseHeader when the data holds the
	// beginning of a header but not all of it.
	ErrTruncated = errors.New("proxyproto: truncated header")
	// ErrHeaderTooLong is returned for a v1 line without CRLF in its first
	// 107 bytes, and for a v2 header longer than Config.MaxHeaderSize.
	ErrHeaderTooLong = errors.New("proxyproto: header too long")
	// ErrBadChecksum is returned for a v2 header whose CRC32C TLV does not
	// match the header.
	ErrBadChecksum = errors.New("proxyproto: CRC32C TLV does not match the header")
	// ErrInvalidHeader is the error every *ParseError wraps: errors.Is(err,
	// ErrInvalidHeader) reports a malformed header of either version.
	ErrInvalidHeader = errors.New("proxyproto: invalid header")
	// ErrCannotEncode is returned by Header.Append and AppendSSL for a
	// header that has no wire form (see Header.Append).
	ErrCannotEncode = errors.New("proxyproto: header cannot be encoded")
	// ErrPendingBytes is returned by Conn.SyscallConn while the Conn still
	// holds bytes it read from the peer that the caller has not read yet
	// (only with Config.Optional, on connections without a file
	// descriptor to peek at): reading the socket directly would skip them.
	ErrPendingBytes = errors.New("proxyproto: connection holds bytes read ahead")
)

// ParseError is a malformed header: the version (1 or 2), the offset of
// the offending byte or field, and a constant reason. It wraps
// ErrInvalidHeader.
type ParseError struct {
	Version int
	Offset  int
	Reason  string
}

func (e *ParseError) Error() string {
	return "proxyproto: invalid v" + strconv.Itoa(e.Version) + " header at byte " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// Unwrap returns ErrInvalidHeader.
func (e *ParseError) Unwrap() error { return ErrInvalidHeader }
