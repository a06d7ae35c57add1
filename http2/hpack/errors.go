package hpack

import "errors"

// Errors returned by Decoder.Decode and AppendHuffmanDecode. Every one of
// them, except ErrHeaderListTooLarge, means the header block cannot be
// decoded and the dynamic table is out of step with the peer's: an HTTP/2
// endpoint closes the connection with COMPRESSION_ERROR.
var (
	// ErrHeaderListTooLarge is returned by Decode when the decoded header
	// list crosses the limit set with SetMaxHeaderListSize. The block is
	// still applied to the dynamic table, so the connection stays usable.
	ErrHeaderListTooLarge = errors.New("hpack: header list too large")

	// ErrStringTooLong is returned by Decode when a name or value is longer,
	// after Huffman decoding, than the string length limit.
	ErrStringTooLong = errors.New("hpack: string too long")

	// ErrInvalidHuffman is returned for a Huffman-coded string that holds
	// EOS, or ends with padding longer than 7 bits or not made of 1 bits.
	ErrInvalidHuffman = errors.New("hpack: invalid huffman-coded string")

	// ErrInvalidIndex is returned by Decode for index 0 or an index past
	// the end of the dynamic table.
	ErrInvalidIndex = errors.New("hpack: invalid table index")

	// ErrTableSizeUpdate is returned by Decode for a dynamic table size
	// update above the limit, or one that follows a field representation
	// in the same block.
	ErrTableSizeUpdate = errors.New("hpack: invalid dynamic table size update")

	// ErrIntegerOverflow is returned by Decode for an integer that does not
	// fit 32 bits or uses more continuation bytes than a 32-bit value needs.
	ErrIntegerOverflow = errors.New("hpack: integer overflow")

	// ErrTruncated is returned by Decode for a block that ends inside a
	// representation.
	ErrTruncated = errors.New("hpack: truncated header block")
)
