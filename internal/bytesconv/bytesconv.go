package bytesconv

import "errors"

// ErrNumber is returned by ParseUint for input that is not a decimal number
// or that overflows int64.
var ErrNumber = errors.New("bytesconv: invalid number")

// AppendUint appends the decimal form of n (n >= 0) to dst.
func AppendUint(dst []byte, n int) []byte {
	if n < 0 {
		panic("bytesconv: AppendUint of a negative number")
	}
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(dst, tmp[i:]...)
}

// AppendHex appends the lower-case hexadecimal form of n (n >= 0) to dst.
func AppendHex(dst []byte, n int) []byte {
	const digits = "0123456789abcdef"
	var tmp [16]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = digits[n&0xf]
		n >>= 4
		if n == 0 {
			break
		}
	}
	return append(dst, tmp[i:]...)
}

// ParseUint parses a non-empty string of ASCII digits. Signs, spaces and
// values above 1<<62 are errors.
func ParseUint(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 19 {
		return 0, ErrNumber
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, ErrNumber
		}
		n = n*10 + uint64(c-'0') // 19 digits cannot overflow uint64
	}
	if n > 1<<62 {
		return 0, ErrNumber
	}
	return int64(n), nil
}

// ParseHex parses a non-empty string of hexadecimal digits that fits in
// 60 bits.
func ParseHex(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 15 {
		return 0, ErrNumber
	}
	var n int64
	for _, c := range b {
		v := HexValue[c]
		if v == 0xff {
			return 0, ErrNumber
		}
		n = n<<4 | int64(v)
	}
	return n, nil
}

// HexValue maps a byte to its hexadecimal value, or 0xff.
var HexValue = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
		t[c-'a'+'A'] = byte(c - 'a' + 10)
	}
	return
}()

// ToLower maps ASCII upper-case letters to lower case; other bytes map to
// themselves.
var ToLower = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = byte(c + 'a' - 'A')
	}
	return
}()

// ToUpper maps ASCII lower-case letters to upper case.
var ToUpper = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c - 'a' + 'A')
	}
	return
}()

// EqualFold reports whether a and b are equal under ASCII case folding.
func EqualFold(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if ToLower[a[i]] != ToLower[b[i]] {
			return false
		}
	}
	return true
}

// EqualFoldBytes is EqualFold for two byte slices.
func EqualFoldBytes(a, b []byte) bool {
	return EqualFold(a, B2S(b))
}

// LowerInPlace lower-cases the ASCII letters of b.
func LowerInPlace(b []byte) {
	for i, c := range b {
		b[i] = ToLower[c]
	}
}

// CanonicalInPlace turns a header name into its canonical form:
// upper case after the start and after each '-', lower case elsewhere
// ("content-type" becomes "Content-Type").
func CanonicalInPlace(b []byte) {
	upper := true
	for i, c := range b {
		if upper {
			b[i] = ToUpper[c]
		} else {
			b[i] = ToLower[c]
		}
		upper = c == '-'
	}
}
