//go:build ignore

// This program generates static_table.go (RFC 7541 Appendix A) and
// huffman_table.go (RFC 7541 Appendix B, plus a nibble-driven decoding state
// machine computed from it). Run it with go generate.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"
	"sort"
)

// staticTable is RFC 7541 Appendix A, in index order (index 1 first).
var staticTable = [][2]string{
	{":authority", ""},
	{":method", "GET"},
	{":method", "POST"},
	{":path", "/"},
	{":path", "/index.html"},
	{":scheme", "http"},
	{":scheme", "https"},
	{":status", "200"},
	{":status", "204"},
	{":status", "206"},
	{":status", "304"},
	{":status", "400"},
	{":status", "404"},
	{":status", "500"},
	{"accept-charset", ""},
	{"accept-encoding", "gzip, deflate"},
	{"accept-language", ""},
	{"accept-ranges", ""},
	{"accept", ""},
	{"access-control-allow-origin", ""},
	{"age", ""},
	{"allow", ""},
	{"authorization", ""},
	{"cache-control", ""},
	{"content-disposition", ""},
	{"content-encoding", ""},
	{"content-language", ""},
	{"content-length", ""},
	{"content-location", ""},
	{"content-range", ""},
	{"content-type", ""},
	{"cookie", ""},
	{"date", ""},
	{"etag", ""},
	{"expect", ""},
	{"expires", ""},
	{"from", ""},
	{"host", ""},
	{"if-match", ""},
	{"if-modified-since", ""},
	{"if-none-match", ""},
	{"if-range", ""},
	{"if-unmodified-since", ""},
	{"last-modified", ""},
	{"link", ""},
	{"location", ""},
	{"max-forwards", ""},
	{"proxy-authenticate", ""},
	{"proxy-authorization", ""},
	{"range", ""},
	{"referer", ""},
	{"refresh", ""},
	{"retry-after", ""},
	{"server", ""},
	{"set-cookie", ""},
	{"strict-transport-security", ""},
	{"transfer-encoding", ""},
	{"user-agent", ""},
	{"vary", ""},
	{"via", ""},
	{"www-authenticate", ""},
}

// huffmanCodes is RFC 7541 Appendix B: for each symbol (0..255, then EOS as
// 256) its code, aligned to the least significant bit, and its length in bits.
var huffmanCodes = [257]struct {
	code uint32
	bits uint8
}{
	{0x1ff8, 13}, {0x7fffd8, 23}, {0xfffffe2, 28}, {0xfffffe3, 28}, // 0-3
	{0xfffffe4, 28}, {0xfffffe5, 28}, {0xfffffe6, 28}, {0xfffffe7, 28}, // 4-7
	{0xfffffe8, 28}, {0xffffea, 24}, {0x3ffffffc, 30}, {0xfffffe9, 28}, // 8-11
	{0xfffffea, 28}, {0x3ffffffd, 30}, {0xfffffeb, 28}, {0xfffffec, 28}, // 12-15
	{0xfffffed, 28}, {0xfffffee, 28}, {0xfffffef, 28}, {0xffffff0, 28}, // 16-19
	{0xffffff1, 28}, {0xffffff2, 28}, {0x3ffffffe, 30}, {0xffffff3, 28}, // 20-23
	{0xffffff4, 28}, {0xffffff5, 28}, {0xffffff6, 28}, {0xffffff7, 28}, // 24-27
	{0xffffff8, 28}, {0xffffff9, 28}, {0xffffffa, 28}, {0xffffffb, 28}, // 28-31
	{0x14, 6}, {0x3f8, 10}, {0x3f9, 10}, {0xffa, 12}, // ' ' ! " #
	{0x1ff9, 13}, {0x15, 6}, {0xf8, 8}, {0x7fa, 11}, // $ % & '
	{0x3fa, 10}, {0x3fb, 10}, {0xf9, 8}, {0x7fb, 11}, // ( ) * +
	{0xfa, 8}, {0x16, 6}, {0x17, 6}, {0x18, 6}, // , - . /
	{0x0, 5}, {0x1, 5}, {0x2, 5}, {0x19, 6}, // 0 1 2 3
	{0x1a, 6}, {0x1b, 6}, {0x1c, 6}, {0x1d, 6}, // 4 5 6 7
	{0x1e, 6}, {0x1f, 6}, {0x5c, 7}, {0xfb, 8}, // 8 9 : ;
	{0x7ffc, 15}, {0x20, 6}, {0xffb, 12}, {0x3fc, 10}, // < = > ?
	{0x1ffa, 13}, {0x21, 6}, {0x5d, 7}, {0x5e, 7}, // @ A B C
	{0x5f, 7}, {0x60, 7}, {0x61, 7}, {0x62, 7}, // D E F G
	{0x63, 7}, {0x64, 7}, {0x65, 7}, {0x66, 7}, // H I J K
	{0x67, 7}, {0x68, 7}, {0x69, 7}, {0x6a, 7}, // L M N O
	{0x6b, 7}, {0x6c, 7}, {0x6d, 7}, {0x6e, 7}, // P Q R S
	{0x6f, 7}, {0x70, 7}, {0x71, 7}, {0x72, 7}, // T U V W
	{0xfc, 8}, {0x73, 7}, {0xfd, 8}, {0x1ffb, 13}, // X Y Z [
	{0x7fff0, 19}, {0x1ffc, 13}, {0x3ffc, 14}, {0x22, 6}, // \ ] ^ _
	{0x7ffd, 15}, {0x3, 5}, {0x23, 6}, {0x4, 5}, // ` a b c
	{0x24, 6}, {0x5, 5}, {0x25, 6}, {0x26, 6}, // d e f g
	{0x27, 6}, {0x6, 5}, {0x74, 7}, {0x75, 7}, // h i j k
	{0x28, 6}, {0x29, 6}, {0x2a, 6}, {0x7, 5}, // l m n o
	{0x2b, 6}, {0x76, 7}, {0x2c, 6}, {0x8, 5}, // p q r s
	{0x9, 5}, {0x2d, 6}, {0x77, 7}, {0x78, 7}, // t u v w
	{0x79, 7}, {0x7a, 7}, {0x7b, 7}, {0x7ffe, 15}, // x y z {
	{0x7fc, 11}, {0x3ffd, 14}, {0x1ffd, 13}, {0xffffffc, 28}, // | } ~ 127
	{0xfffe6, 20}, {0x3fffd2, 22}, {0xfffe7, 20}, {0xfffe8, 20}, // 128-131
	{0x3fffd3, 22}, {0x3fffd4, 22}, {0x3fffd5, 22}, {0x7fffd9, 23}, // 132-135
	{0x3fffd6, 22}, {0x7fffda, 23}, {0x7fffdb, 23}, {0x7fffdc, 23}, // 136-139
	{0x7fffdd, 23}, {0x7fffde, 23}, {0xffffeb, 24}, {0x7fffdf, 23}, // 140-143
	{0xffffec, 24}, {0xffffed, 24}, {0x3fffd7, 22}, {0x7fffe0, 23}, // 144-147
	{0xffffee, 24}, {0x7fffe1, 23}, {0x7fffe2, 23}, {0x7fffe3, 23}, // 148-151
	{0x7fffe4, 23}, {0x1fffdc, 21}, {0x3fffd8, 22}, {0x7fffe5, 23}, // 152-155
	{0x3fffd9, 22}, {0x7fffe6, 23}, {0x7fffe7, 23}, {0xffffef, 24}, // 156-159
	{0x3fffda, 22}, {0x1fffdd, 21}, {0xfffe9, 20}, {0x3fffdb, 22}, // 160-163
	{0x3fffdc, 22}, {0x7fffe8, 23}, {0x7fffe9, 23}, {0x1fffde, 21}, // 164-167
	{0x7fffea, 23}, {0x3fffdd, 22}, {0x3fffde, 22}, {0xfffff0, 24}, // 168-171
	{0x1fffdf, 21}, {0x3fffdf, 22}, {0x7fffeb, 23}, {0x7fffec, 23}, // 172-175
	{0x1fffe0, 21}, {0x1fffe1, 21}, {0x3fffe0, 22}, {0x1fffe2, 21}, // 176-179
	{0x7fffed, 23}, {0x3fffe1, 22}, {0x7fffee, 23}, {0x7fffef, 23}, // 180-183
	{0xfffea, 20}, {0x3fffe2, 22}, {0x3fffe3, 22}, {0x3fffe4, 22}, // 184-187
	{0x7ffff0, 23}, {0x3fffe5, 22}, {0x3fffe6, 22}, {0x7ffff1, 23}, // 188-191
	{0x3ffffe0, 26}, {0x3ffffe1, 26}, {0xfffeb, 20}, {0x7fff1, 19}, // 192-195
	{0x3fffe7, 22}, {0x7ffff2, 23}, {0x3fffe8, 22}, {0x1ffffec, 25}, // 196-199
	{0x3ffffe2, 26}, {0x3ffffe3, 26}, {0x3ffffe4, 26}, {0x7ffffde, 27}, // 200-203
	{0x7ffffdf, 27}, {0x3ffffe5, 26}, {0xfffff1, 24}, {0x1ffffed, 25}, // 204-207
	{0x7fff2, 19}, {0x1fffe3, 21}, {0x3ffffe6, 26}, {0x7ffffe0, 27}, // 208-211
	{0x7ffffe1, 27}, {0x3ffffe7, 26}, {0x7ffffe2, 27}, {0xfffff2, 24}, // 212-215
	{0x1fffe4, 21}, {0x1fffe5, 21}, {0x3ffffe8, 26}, {0x3ffffe9, 26}, // 216-219
	{0xffffffd, 28}, {0x7ffffe3, 27}, {0x7ffffe4, 27}, {0x7ffffe5, 27}, // 220-223
	{0xfffec, 20}, {0xfffff3, 24}, {0xfffed, 20}, {0x1fffe6, 21}, // 224-227
	{0x3fffe9, 22}, {0x1fffe7, 21}, {0x1fffe8, 21}, {0x7ffff3, 23}, // 228-231
	{0x3fffea, 22}, {0x3fffeb, 22}, {0x1ffffee, 25}, {0x1ffffef, 25}, // 232-235
	{0xfffff4, 24}, {0xfffff5, 24}, {0x3ffffea, 26}, {0x7ffff4, 23}, // 236-239
	{0x3ffffeb, 26}, {0x7ffffe6, 27}, {0x3ffffec, 26}, {0x3ffffed, 26}, // 240-243
	{0x7ffffe7, 27}, {0x7ffffe8, 27}, {0x7ffffe9, 27}, {0x7ffffea, 27}, // 244-247
	{0x7ffffeb, 27}, {0xffffffe, 28}, {0x7ffffec, 27}, {0x7ffffed, 27}, // 248-251
	{0x7ffffee, 27}, {0x7ffffef, 27}, {0x7fffff0, 27}, {0x3ffffee, 26}, // 252-255
	{0x3fffffff, 30}, // EOS
}

const eos = 256

func main() {
	checkHuffmanCodes()
	write("static_table.go", genStaticTable())
	write("huffman_table.go", genHuffmanTable())
}

func write(name string, src []byte) {
	out, err := format.Source(src)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n%s", name, err, src)
		os.Exit(1)
	}
	if err := os.WriteFile(name, out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gen: "+format+"\n", args...)
	os.Exit(1)
}

// checkHuffmanCodes verifies that the typed-in table is the canonical code
// of RFC 7541: codes fit their lengths, the code is complete (Kraft sum 1),
// and sorted by (length, symbol) the codes are consecutive canonical codes.
func checkHuffmanCodes() {
	var kraft uint64 // in units of 2^-30
	order := make([]int, len(huffmanCodes))
	for sym, c := range huffmanCodes {
		if c.bits < 5 || c.bits > 30 || c.code>>c.bits != 0 {
			fail("symbol %d: code %#x does not fit %d bits", sym, c.code, c.bits)
		}
		kraft += 1 << (30 - c.bits)
		order[sym] = sym
	}
	if kraft != 1<<30 {
		fail("the code is not complete: Kraft sum %d/2^30", kraft)
	}
	sort.SliceStable(order, func(i, j int) bool {
		return huffmanCodes[order[i]].bits < huffmanCodes[order[j]].bits
	})
	next, bits := uint32(0), huffmanCodes[order[0]].bits
	for _, sym := range order {
		c := huffmanCodes[sym]
		next <<= c.bits - bits
		bits = c.bits
		if c.code != next {
			fail("symbol %d: code %#x, canonical order wants %#x", sym, c.code, next)
		}
		next++
	}
	if huffmanCodes[eos].code != 1<<30-1 {
		fail("EOS is not thirty ones")
	}
}

func genStaticTable() []byte {
	var b bytes.Buffer
	b.WriteString("// Code generated by gen.go; DO NOT EDIT.\n\npackage hpack\n\n")
	b.WriteString("// staticTableLen is the number of entries of the static table.\nconst staticTableLen = 61\n\n")
	b.WriteString("// staticTable is the static table of RFC 7541 Appendix A. Index 0 is unused\n")
	b.WriteString("// so that staticTable[i] is the entry with HPACK index i. Its slices must\n// never be modified.\n")
	b.WriteString("var staticTable = [staticTableLen + 1]staticEntry{\n\t{},\n")
	for i, e := range staticTable {
		if e[1] == "" {
			fmt.Fprintf(&b, "\t{name: []byte(%q)}, // %d\n", e[0], i+1)
		} else {
			fmt.Fprintf(&b, "\t{name: []byte(%q), value: []byte(%q)}, // %d\n", e[0], e[1], i+1)
		}
	}
	b.WriteString("}\n\n")

	b.WriteString("// staticNameIndex returns the smallest static table index whose name is\n")
	b.WriteString("// name, or 0. Entries with the same name are consecutive.\n")
	b.WriteString("func staticNameIndex(name []byte) uint8 {\n\tswitch string(name) {\n")
	seen := map[string]bool{}
	for i, e := range staticTable {
		if seen[e[0]] {
			continue
		}
		seen[e[0]] = true
		fmt.Fprintf(&b, "\tcase %q:\n\t\treturn %d\n", e[0], i+1)
	}
	b.WriteString("\t}\n\treturn 0\n}\n")
	return b.Bytes()
}

// Decoding state machine. The states are the 256 internal nodes of the code
// tree (the root is state 0). Each input byte is consumed as two nibbles; for
// each (state, nibble) the table gives the next state, and whether a symbol
// was completed on the way (the shortest code has 5 bits, so at most one
// symbol ends inside a nibble), or EOS was reached. A state accepts the end
// of the string if it is reached from the root by at most seven 1 bits: the
// only padding RFC 7541 Section 5.2 allows.
const (
	flagEmit   = 1 << 16
	flagFail   = 1 << 17
	flagAccept = 1 << 18
)

type node struct {
	child [2]int // node indexes; -1 if none
	sym   int    // leaf symbol, or -1 for an internal node
	state int    // state number of an internal node
}

func genHuffmanTable() []byte {
	nodes := []node{{child: [2]int{-1, -1}, sym: -1}}
	for sym, c := range huffmanCodes {
		n := 0
		for i := int(c.bits) - 1; i >= 0; i-- {
			bit := (c.code >> uint(i)) & 1
			if nodes[n].sym >= 0 {
				fail("symbol %d: code is not prefix-free", sym)
			}
			if nodes[n].child[bit] < 0 {
				nodes = append(nodes, node{child: [2]int{-1, -1}, sym: -1})
				nodes[n].child[bit] = len(nodes) - 1
			}
			n = nodes[n].child[bit]
		}
		if nodes[n].sym >= 0 || nodes[n].child[0] >= 0 || nodes[n].child[1] >= 0 {
			fail("symbol %d: code is not prefix-free", sym)
		}
		nodes[n].sym = sym
	}
	// Number the internal nodes in breadth-first order.
	var internal []int
	queue := []int{0}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if nodes[n].sym >= 0 {
			continue
		}
		nodes[n].state = len(internal)
		internal = append(internal, n)
		queue = append(queue, nodes[n].child[0], nodes[n].child[1])
	}
	if len(internal) != 256 {
		fail("%d internal nodes, want 256", len(internal))
	}
	accept := make([]bool, 256)
	for n, depth := 0, 0; depth <= 7; depth++ {
		accept[nodes[n].state] = true
		n = nodes[n].child[1]
	}

	var table [256][16]uint32
	for s, n0 := range internal {
		for nib := 0; nib < 16; nib++ {
			n, e := n0, uint32(0)
			for i := 3; i >= 0; i-- {
				n = nodes[n].child[(nib>>uint(i))&1]
				if sym := nodes[n].sym; sym >= 0 {
					if sym == eos {
						e |= flagFail
						break
					}
					e |= flagEmit | uint32(sym)<<8
					n = 0
				}
			}
			if e&flagFail == 0 {
				st := nodes[n].state
				e |= uint32(st)
				if accept[st] {
					e |= flagAccept
				}
			}
			table[s][nib] = e
		}
	}

	var b bytes.Buffer
	b.WriteString("// Code generated by gen.go; DO NOT EDIT.\n\npackage hpack\n\n")
	b.WriteString("// huffmanCodes holds the Huffman code of each symbol (RFC 7541 Appendix B),\n")
	b.WriteString("// aligned to the least significant bit. EOS is never encoded and is left out.\n")
	b.WriteString("var huffmanCodes = [256]uint32{\n")
	for i := 0; i < 256; i++ {
		fmt.Fprintf(&b, "%#x,", huffmanCodes[i].code)
		if i%8 == 7 {
			b.WriteString("\n")
		}
	}
	b.WriteString("}\n\n")
	b.WriteString("// huffmanCodeLen holds the length in bits of each symbol's code.\n")
	b.WriteString("var huffmanCodeLen = [256]uint8{\n")
	for i := 0; i < 256; i++ {
		fmt.Fprintf(&b, "%d,", huffmanCodes[i].bits)
		if i%16 == 15 {
			b.WriteString("\n")
		}
	}
	b.WriteString("}\n\n")
	fmt.Fprintf(&b, `// Bits of a huffmanDecodeTable entry above the next state (bits 0-7):
// bits 8-15 hold the symbol completed by the nibble.
const (
	huffmanEmit   = %#x // a symbol was completed
	huffmanFail   = %#x // EOS was reached: the string is invalid
	huffmanAccept = %#x // the next state may end the string (padding of at most 7 one bits)
)

`, flagEmit, flagFail, flagAccept)
	b.WriteString("// huffmanDecodeTable is the decoding state machine: huffmanDecodeTable[s][n]\n")
	b.WriteString("// is the transition from state s (an internal node of the code tree, 0 is\n")
	b.WriteString("// the root) on the nibble n, most significant bit first.\n")
	b.WriteString("var huffmanDecodeTable = [256][16]uint32{\n")
	for s := range table {
		b.WriteString("{")
		for nib, e := range table[s] {
			if nib > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%#x", e)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n")
	return b.Bytes()
}
