package hpack_test

import (
	"fmt"

	"github.com/volthttp/volt/http2/hpack"
)

// Example encodes a response header block, then decodes it as the peer
// would. The same Encoder and Decoder serve every block of a connection.
func Example() {
	enc := hpack.NewEncoder()
	var block []byte
	for _, f := range []struct{ name, value string }{
		{":status", "200"},
		{"content-type", "text/plain"},
		{"set-cookie", "id=7"}, // never indexed
	} {
		block = enc.AppendField(block, hpack.HeaderField{Name: []byte(f.name), Value: []byte(f.value)})
	}
	fmt.Printf("%d bytes\n", len(block))

	dec := hpack.NewDecoder(4096)
	dec.SetMaxHeaderListSize(16 << 10)
	err := dec.Decode(block, func(f hpack.HeaderField) error {
		// f.Name and f.Value are only valid until this function returns.
		fmt.Printf("%s: %s (sensitive: %v)\n", f.Name, f.Value, f.Sensitive)
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 16 bytes
	// :status: 200 (sensitive: false)
	// content-type: text/plain (sensitive: false)
	// set-cookie: id=7 (sensitive: true)
}
