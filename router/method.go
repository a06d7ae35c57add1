package router

// Methods are numbered: the standard ones in a fixed order (which is the
// order of the Allow header), then the other methods a router was given,
// in registration order. A node's allow mask has bit id set for each
// method it has a route for, so a router holds at most 64 methods.
const (
	mGET = iota
	mHEAD
	mPOST
	mPUT
	mPATCH
	mDELETE
	mOPTIONS
	mCONNECT
	mTRACE
	numStdMethods
)

const maxMethods = 64

var stdMethods = [numStdMethods]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}

// stdMethodID returns the number of a standard method, or -1.
func stdMethodID(m []byte) int {
	switch string(m) {
	case "GET":
		return mGET
	case "HEAD":
		return mHEAD
	case "POST":
		return mPOST
	case "PUT":
		return mPUT
	case "PATCH":
		return mPATCH
	case "DELETE":
		return mDELETE
	case "OPTIONS":
		return mOPTIONS
	case "CONNECT":
		return mCONNECT
	case "TRACE":
		return mTRACE
	}
	return -1
}

// methodID returns the number of method m, or -1 if no route of r uses
// it.
func (r *Router) methodID(m []byte) int {
	if id := stdMethodID(m); id >= 0 {
		return id
	}
	for i, c := range r.custom {
		if string(m) == c {
			return numStdMethods + i
		}
	}
	return -1
}

// methodName returns the name of method number id.
func (r *Router) methodName(id int) string {
	if id < numStdMethods {
		return stdMethods[id]
	}
	return r.custom[id-numStdMethods]
}

// appendAllow appends the Allow header value for the methods in mask:
// a GET route also answers HEAD, and OPTIONS is always allowed.
func (r *Router) appendAllow(dst []byte, mask uint64) []byte {
	if mask&(1<<mGET) != 0 {
		mask |= 1 << mHEAD
	}
	mask |= 1 << mOPTIONS
	first := true
	for id := 0; id < maxMethods && mask>>id != 0; id++ {
		if mask&(1<<id) == 0 {
			continue
		}
		if !first {
			dst = append(dst, ", "...)
		}
		first = false
		dst = append(dst, r.methodName(id)...)
	}
	return dst
}
