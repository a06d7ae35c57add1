package router

import (
	"bytes"

	"github.com/volthttp/volt"
)

// route is what a registration leaves at a node for one method.
type route struct {
	handler volt.RequestHandler // wrapped in its middleware
	pattern string              // as registered, group prefix included
	names   []string            // parameter names, in path order
}

// node is a node of the radix tree. A static node matches its prefix; a
// parameter node matches one non-empty segment (its prefix is empty); a
// catch-all node matches the rest of the path. Parameter and catch-all
// nodes hang off nodes whose path so far ends with '/', so they always
// start a segment.
//
// Lookup prefers, at each node, a static child to the parameter child, and
// the parameter child to the catch-all child, and backtracks when a
// preferred branch has no route: a request matches the most specific
// route, segment by segment from the left.
type node struct {
	prefix   string
	indices  []byte  // first byte of each static child, in children's order
	children []*node // static children
	param    *node
	catchAll *node

	routes []*route // by method number; nil where no route ends here
	allow  uint64   // bit i set when routes[i] != nil
}

// insertStatic walks, creating and splitting nodes as needed, to the node
// where the literal s below n ends, and returns it.
func (n *node) insertStatic(s string) *node {
	for len(s) > 0 {
		i := bytes.IndexByte(n.indices, s[0])
		if i < 0 {
			c := &node{prefix: s}
			n.indices = append(n.indices, s[0])
			n.children = append(n.children, c)
			return c
		}
		c := n.children[i]
		k := commonPrefix(s, c.prefix)
		if k < len(c.prefix) {
			// Split c: a new node holds the common part, c keeps the rest.
			mid := &node{prefix: c.prefix[:k], indices: []byte{c.prefix[k]}, children: []*node{c}}
			c.prefix = c.prefix[k:]
			n.children[i] = mid
			c = mid
		}
		s, n = s[k:], c
	}
	return n
}

func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// insert walks to (creating) the node of a parsed pattern.
func (n *node) insert(toks []token) *node {
	for _, t := range toks {
		switch t.kind {
		case tokStatic:
			n = n.insertStatic(t.text)
		case tokParam:
			if n.param == nil {
				n.param = &node{}
			}
			n = n.param
		case tokCatchAll:
			if n.catchAll == nil {
				n.catchAll = &node{}
			}
			n = n.catchAll
		}
	}
	return n
}

// maxParams is the most parameters a pattern may have.
const maxParams = 16

// lookup is the state of one search: the method sought (-1 for a method
// no route uses), the parameter values found so far as offsets into the
// path (so that the path does not escape and a lookup lives on the
// stack), and the methods of the routes whose path matched but whose
// method did not.
type lookup struct {
	method int
	allow  uint64
	total  int // length of the whole path
	n      int // parameters found
	values [maxParams][2]int32
}

func newLookup(method int, path []byte) lookup { return lookup{method: method, total: len(path)} }

// push records the value rest[:end] of the next parameter; rest is a
// suffix of the path.
func (l *lookup) push(rest []byte, end int) {
	start := l.total - len(rest)
	l.values[l.n] = [2]int32{int32(start), int32(start + end)}
	l.n++
}

// routeFor returns the route of the node for method id: a GET route also
// serves HEAD when there is no HEAD route.
func (n *node) routeFor(id int) *route {
	if id >= 0 && id < len(n.routes) {
		if rt := n.routes[id]; rt != nil {
			return rt
		}
	}
	if id == mHEAD && len(n.routes) > mGET {
		return n.routes[mGET]
	}
	return nil
}

// leaf reports the route of n for l's method, or notes n's methods in
// l.allow.
func (n *node) leaf(l *lookup) *route {
	if n.allow == 0 {
		return nil
	}
	if rt := n.routeFor(l.method); rt != nil {
		return rt
	}
	l.allow |= n.allow
	return nil
}

// find returns the route for the rest of a path below n (n's own prefix is
// already matched) and l.method, pushing parameter values onto l.
// It returns nil when no route matches both the path and the method; then
// l.allow holds the methods of every route that matches the path.
func (n *node) find(path []byte, l *lookup) *route {
	for {
		if len(path) == 0 {
			if rt := n.leaf(l); rt != nil {
				return rt
			}
			if n.catchAll != nil {
				return n.findCatchAll(path, l)
			}
			return nil
		}
		var next *node
		for i, c := range n.indices {
			if c == path[0] {
				if c := n.children[i]; hasPrefix(path, c.prefix) {
					next = c
				}
				break
			}
		}
		if n.param == nil && n.catchAll == nil {
			// Nothing to fall back to here: no need to recurse.
			if next == nil {
				return nil
			}
			path, n = path[len(next.prefix):], next
			continue
		}
		if next != nil {
			if rt := next.find(path[len(next.prefix):], l); rt != nil {
				return rt
			}
		}
		if n.param != nil {
			end := segmentEnd(path)
			if end > 0 {
				l.push(path, end)
				if rt := n.param.find(path[end:], l); rt != nil {
					return rt
				}
				l.n--
			}
		}
		if n.catchAll != nil {
			return n.findCatchAll(path, l)
		}
		return nil
	}
}

func (n *node) findCatchAll(rest []byte, l *lookup) *route {
	l.push(rest, len(rest))
	if rt := n.catchAll.leaf(l); rt != nil {
		return rt
	}
	l.n--
	return nil
}

// segmentEnd returns the index of the first '/' in p, or len(p). Segments
// are short: a loop beats bytes.IndexByte's call.
func segmentEnd(p []byte) int {
	for i, c := range p {
		if c == '/' {
			return i
		}
	}
	return len(p)
}

func hasPrefix(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == prefix
}

// allMethods returns the union of the methods of every route below n.
func (n *node) allMethods() uint64 {
	m := n.allow
	for _, c := range n.children {
		m |= c.allMethods()
	}
	if n.param != nil {
		m |= n.param.allMethods()
	}
	if n.catchAll != nil {
		m |= n.catchAll.allMethods()
	}
	return m
}
