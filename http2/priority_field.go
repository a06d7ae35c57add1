package http2

// Default priority parameters of RFC 9218 section 4.
const (
	DefaultUrgency     = 3
	DefaultIncremental = false
)

// ParsePriorityField parses a Priority Field Value (RFC 9218 section 4):
// the value of a Priority header field or of a PRIORITY_UPDATE frame. It
// is a Structured Field Dictionary (RFC 9651 section 3.2) in which
// u (urgency) is an Integer from 0 to 7 and i (incremental) a Boolean
// ("i" alone means true).
//
// Unknown keys, parameters, and u or i values of another type or out of
// range are ignored and leave the default (RFC 9218 section 4: urgency 3,
// not incremental); as in any dictionary, the last member with a given key
// wins. If b is not a syntactically valid dictionary, ok is false and the
// defaults are returned. ParsePriorityField does not allocate.
func ParsePriorityField(b []byte) (urgency uint8, incremental bool, ok bool) {
	urgency, incremental = DefaultUrgency, DefaultIncremental
	p := sfParser{b: b}
	p.skipSP()
	if p.eof() {
		return urgency, incremental, true
	}
	u, i := -1, -1 // last value seen for u and i: -1 none or ignored
	for {
		key, good := p.key()
		if !good {
			return DefaultUrgency, DefaultIncremental, false
		}
		kind, val := sfBoolean, int64(1) // a member without a value is true
		if p.peek() == '=' {
			p.i++
			if p.peek() == '(' {
				if !p.innerList() {
					return DefaultUrgency, DefaultIncremental, false
				}
				kind = sfInnerList
			} else if kind, val, good = p.bareItem(); !good {
				return DefaultUrgency, DefaultIncremental, false
			}
		}
		if !p.parameters() {
			return DefaultUrgency, DefaultIncremental, false
		}
		switch {
		case len(key) == 1 && key[0] == 'u':
			u = -1
			if kind == sfInteger && val >= 0 && val <= 7 {
				u = int(val)
			}
		case len(key) == 1 && key[0] == 'i':
			i = -1
			if kind == sfBoolean {
				i = int(val)
			}
		}
		p.skipOWS()
		if p.eof() {
			break
		}
		if p.peek() != ',' {
			return DefaultUrgency, DefaultIncremental, false
		}
		p.i++
		p.skipOWS()
		if p.eof() {
			return DefaultUrgency, DefaultIncremental, false // trailing comma
		}
	}
	if u >= 0 {
		urgency = uint8(u)
	}
	if i >= 0 {
		incremental = i == 1
	}
	return urgency, incremental, true
}

// Kinds of Structured Field bare items that matter here.
const (
	sfOther = iota
	sfInteger
	sfBoolean
	sfInnerList
)

// sfParser scans a Structured Field (RFC 9651 section 4.2) without
// allocating.
type sfParser struct {
	b []byte
	i int
}

func (p *sfParser) eof() bool { return p.i >= len(p.b) }

func (p *sfParser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *sfParser) skipSP() {
	for p.i < len(p.b) && p.b[p.i] == ' ' {
		p.i++
	}
}

func (p *sfParser) skipOWS() {
	for p.i < len(p.b) && (p.b[p.i] == ' ' || p.b[p.i] == '\t') {
		p.i++
	}
}

func isLCAlpha(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool   { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool   { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// key scans a key: ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ).
func (p *sfParser) key() ([]byte, bool) {
	start := p.i
	if c := p.peek(); !isLCAlpha(c) && c != '*' {
		return nil, false
	}
	p.i++
	for p.i < len(p.b) {
		c := p.b[p.i]
		if !isLCAlpha(c) && !isDigit(c) && c != '_' && c != '-' && c != '.' && c != '*' {
			break
		}
		p.i++
	}
	return p.b[start:p.i], true
}

// parameters scans *( ";" *SP key [ "=" bare-item ] ).
func (p *sfParser) parameters() bool {
	for p.peek() == ';' {
		p.i++
		p.skipSP()
		if _, ok := p.key(); !ok {
			return false
		}
		if p.peek() == '=' {
			p.i++
			if _, _, ok := p.bareItem(); !ok {
				return false
			}
		}
	}
	return true
}

// innerList scans "(" *SP [ item *( 1*SP item ) *SP ] ")" parameters.
func (p *sfParser) innerList() bool {
	p.i++ // "("
	for {
		p.skipSP()
		if p.peek() == ')' {
			p.i++
			return p.parameters()
		}
		if _, _, ok := p.bareItem(); !ok || !p.parameters() {
			return false
		}
		if c := p.peek(); c != ' ' && c != ')' {
			return false
		}
	}
}

// bareItem scans an Integer, Decimal, String, Token, Byte Sequence,
// Boolean, Date or Display String. For an Integer it returns its value,
// for a Boolean 0 or 1.
func (p *sfParser) bareItem() (kind int, val int64, ok bool) {
	c := p.peek()
	switch {
	case c == '-' || isDigit(c):
		return p.number()
	case c == '"':
		return sfOther, 0, p.str()
	case c == '*' || isAlpha(c):
		p.i++
		for p.i < len(p.b) && isTokenChar(p.b[p.i]) {
			p.i++
		}
		return sfOther, 0, true
	case c == ':':
		p.i++
		for p.i < len(p.b) && isBase64(p.b[p.i]) {
			p.i++
		}
		if p.peek() != ':' {
			return 0, 0, false
		}
		p.i++
		return sfOther, 0, true
	case c == '?':
		p.i++
		switch p.peek() {
		case '0':
			p.i++
			return sfBoolean, 0, true
		case '1':
			p.i++
			return sfBoolean, 1, true
		}
		return 0, 0, false
	case c == '@':
		p.i++
		if k, _, ok := p.number(); !ok || k != sfInteger {
			return 0, 0, false
		}
		return sfOther, 0, true
	case c == '%':
		p.i++
		return sfOther, 0, p.displayString()
	}
	return 0, 0, false
}

// number scans an Integer (up to 15 digits) or a Decimal (up to 12
// integer digits and 1 to 3 fraction digits).
func (p *sfParser) number() (kind int, val int64, ok bool) {
	neg := false
	if p.peek() == '-' {
		neg = true
		p.i++
	}
	digits := 0
	for p.i < len(p.b) && isDigit(p.b[p.i]) {
		digits++
		if digits > 15 {
			return 0, 0, false
		}
		val = val*10 + int64(p.b[p.i]-'0')
		p.i++
	}
	if digits == 0 {
		return 0, 0, false
	}
	if p.peek() != '.' {
		if neg {
			val = -val
		}
		return sfInteger, val, true
	}
	if digits > 12 {
		return 0, 0, false
	}
	p.i++
	frac := 0
	for p.i < len(p.b) && isDigit(p.b[p.i]) {
		frac++
		p.i++
	}
	if frac == 0 || frac > 3 {
		return 0, 0, false
	}
	return sfOther, 0, true
}

// str scans a String: DQUOTE *( unescaped / "\" ( DQUOTE / "\" ) ) DQUOTE,
// unescaped being printable ASCII other than DQUOTE and "\".
func (p *sfParser) str() bool {
	p.i++
	for p.i < len(p.b) {
		c := p.b[p.i]
		p.i++
		switch {
		case c == '"':
			return true
		case c == '\\':
			if p.i >= len(p.b) || (p.b[p.i] != '"' && p.b[p.i] != '\\') {
				return false
			}
			p.i++
		case c < 0x20 || c > 0x7e:
			return false
		}
	}
	return false
}

// displayString scans the rest of a Display String after "%": DQUOTE
// *( unescaped / "%" lc-hexdig lc-hexdig ) DQUOTE. The UTF-8 validity of
// the decoded bytes is not checked: the value is ignored.
func (p *sfParser) displayString() bool {
	if p.peek() != '"' {
		return false
	}
	p.i++
	for p.i < len(p.b) {
		c := p.b[p.i]
		p.i++
		switch {
		case c == '"':
			return true
		case c == '%':
			if p.i+2 > len(p.b) || !isLCHex(p.b[p.i]) || !isLCHex(p.b[p.i+1]) {
				return false
			}
			p.i += 2
		case c < 0x20 || c > 0x7e:
			return false
		}
	}
	return false
}

func isLCHex(c byte) bool { return isDigit(c) || (c >= 'a' && c <= 'f') }

func isBase64(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '+' || c == '/' || c == '='
}

// isTokenChar reports whether c is a tchar, ":" or "/".
func isTokenChar(c byte) bool {
	if isAlpha(c) || isDigit(c) {
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~', ':', '/':
		return true
	}
	return false
}
