package http2

// The Append functions below each append one complete frame, header and
// payload, to dst and return the extended slice. They do not allocate
// beyond growing dst.
//
// They never write an invalid frame. Given arguments that cannot form one
// (a stream identifier of 0 where the type needs a stream, or one above
// MaxStreamID; a payload longer than MaxFrameSizeLimit; an invalid setting;
// a window increment of 0), they append nothing and return dst unchanged;
// each function lists its rules. A caller that cannot rule those out
// compares the lengths before and after.
//
// Payloads are not split: a caller writing DATA keeps each payload within
// the peer's SETTINGS_MAX_FRAME_SIZE (AppendHeaderBlock splits a field
// block into HEADERS and CONTINUATION frames itself).

func validStream(id uint32) bool { return id != 0 && id <= MaxStreamID }

func appendHeader(dst []byte, length int, t FrameType, fl Flags, id uint32) []byte {
	return append(dst,
		byte(length>>16), byte(length>>8), byte(length),
		byte(t), byte(fl),
		byte(id>>24), byte(id>>16), byte(id>>8), byte(id))
}

func appendUint32(dst []byte, v uint32) []byte {
	return append(dst, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func appendZeros(dst []byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, 0)
	}
	return dst
}

// AppendFrameHeader appends the 9-byte frame header h. It appends nothing
// if h.Length is above MaxFrameSizeLimit or h.StreamID above MaxStreamID.
// The caller appends exactly h.Length payload bytes after it.
func AppendFrameHeader(dst []byte, h FrameHeader) []byte {
	if h.Length > MaxFrameSizeLimit || h.StreamID > MaxStreamID {
		return dst
	}
	return appendHeader(dst, int(h.Length), h.Type, h.Flags, h.StreamID)
}

// appendPadded appends a frame of type t whose payload is an optional Pad
// Length field (when padded), fixed, data and padLen zero bytes of padding.
// It appends nothing if the payload would be longer than MaxFrameSizeLimit.
func appendPadded(dst []byte, t FrameType, fl Flags, id uint32, padded bool, padLen uint8, fixed, data []byte) []byte {
	n := len(fixed) + len(data)
	if padded {
		fl |= FlagPadded
		n += 1 + int(padLen)
	}
	if len(data) > MaxFrameSizeLimit || n > MaxFrameSizeLimit {
		return dst
	}
	dst = appendHeader(dst, n, t, fl, id)
	if padded {
		dst = append(dst, padLen)
	}
	dst = append(dst, fixed...)
	dst = append(dst, data...)
	if padded {
		dst = appendZeros(dst, int(padLen))
	}
	return dst
}

// AppendData appends a DATA frame on streamID carrying data, with
// FlagEndStream if endStream. The caller keeps len(data) within the peer's
// SETTINGS_MAX_FRAME_SIZE and splits longer bodies into several frames.
// It appends nothing if streamID is 0 or above MaxStreamID, or data is
// longer than MaxFrameSizeLimit.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-6.1
func AppendData(dst []byte, streamID uint32, endStream bool, data []byte) []byte {
	if !validStream(streamID) {
		return dst
	}
	return appendPadded(dst, FrameData, endStreamFlag(endStream), streamID, false, 0, nil, data)
}

// AppendDataPadded is AppendData with FlagPadded and padLen zero bytes of
// padding; the frame's Length is len(data)+1+padLen. It appends nothing on
// the rules of AppendData, or if the padded payload is longer than
// MaxFrameSizeLimit.
func AppendDataPadded(dst []byte, streamID uint32, endStream bool, data []byte, padLen uint8) []byte {
	if !validStream(streamID) {
		return dst
	}
	return appendPadded(dst, FrameData, endStreamFlag(endStream), streamID, true, padLen, nil, data)
}

func endStreamFlag(endStream bool) Flags {
	if endStream {
		return FlagEndStream
	}
	return 0
}

func endHeadersFlag(endHeaders bool) Flags {
	if endHeaders {
		return FlagEndHeaders
	}
	return 0
}

// AppendHeaders appends a HEADERS frame on streamID carrying the field
// block fragment block, with FlagEndStream if endStream and FlagEndHeaders
// if endHeaders (otherwise CONTINUATION frames must follow). It appends
// nothing if streamID is 0 or above MaxStreamID, or block is longer than
// MaxFrameSizeLimit.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-6.2
func AppendHeaders(dst []byte, streamID uint32, endStream, endHeaders bool, block []byte) []byte {
	if !validStream(streamID) {
		return dst
	}
	return appendPadded(dst, FrameHeaders, endStreamFlag(endStream)|endHeadersFlag(endHeaders), streamID, false, 0, nil, block)
}

// AppendContinuation appends a CONTINUATION frame on streamID carrying the
// field block fragment block, with FlagEndHeaders if endHeaders. It
// appends nothing if streamID is 0 or above MaxStreamID, or block is
// longer than MaxFrameSizeLimit.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-6.10
func AppendContinuation(dst []byte, streamID uint32, endHeaders bool, block []byte) []byte {
	if !validStream(streamID) {
		return dst
	}
	return appendPadded(dst, FrameContinuation, endHeadersFlag(endHeaders), streamID, false, 0, nil, block)
}

// AppendHeaderBlock appends a whole field block on streamID: one HEADERS
// frame, with FlagEndStream if endStream, followed by as many CONTINUATION
// frames as needed so that no payload exceeds maxFrameSize; the last frame
// has FlagEndHeaders. maxFrameSize is the peer's SETTINGS_MAX_FRAME_SIZE;
// if zero, DefaultMaxFrameSize is used, and a value above
// MaxFrameSizeLimit is taken as MaxFrameSizeLimit. It appends nothing if
// streamID is 0 or above MaxStreamID.
func AppendHeaderBlock(dst []byte, streamID uint32, endStream bool, block []byte, maxFrameSize uint32) []byte {
	if !validStream(streamID) {
		return dst
	}
	max := int(maxFrameSize)
	if max == 0 {
		max = DefaultMaxFrameSize
	} else if max > MaxFrameSizeLimit {
		max = MaxFrameSizeLimit
	}
	first := block
	if len(first) > max {
		first = first[:max]
	}
	block = block[len(first):]
	dst = AppendHeaders(dst, streamID, endStream, len(block) == 0, first)
	for len(block) > 0 {
		frag := block
		if len(frag) > max {
			frag = frag[:max]
		}
		block = block[len(frag):]
		dst = AppendContinuation(dst, streamID, len(block) == 0, frag)
	}
	return dst
}

// AppendPushPromise appends a PUSH_PROMISE frame on streamID promising
// promisedID, carrying the field block fragment block, with FlagEndHeaders
// if endHeaders. It appends nothing if either identifier is 0 or above
// MaxStreamID, or the payload would be longer than MaxFrameSizeLimit.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-6.6
func AppendPushPromise(dst []byte, streamID, promisedID uint32, endHeaders bool, block []byte) []byte {
	if !validStream(streamID) || !validStream(promisedID) {
		return dst
	}
	var fixed [4]byte
	appendUint32(fixed[:0], promisedID)
	return appendPadded(dst, FramePushPromise, endHeadersFlag(endHeaders), streamID, false, 0, fixed[:], block)
}

// AppendSettings appends a SETTINGS frame carrying settings in order. It
// appends nothing if a setting is not Valid or the payload would be longer
// than MaxFrameSizeLimit. Called with a literal list it does not allocate.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-6.5
func AppendSettings(dst []byte, settings ...Setting) []byte {
	if len(settings) > MaxFrameSizeLimit/6 {
		return dst
	}
	for _, s := range settings {
		if s.Valid() != nil {
			return dst
		}
	}
	dst = appendHeader(dst, 6*len(settings), FrameSettings, 0, 0)
	for _, s := range settings {
		dst = append(dst, byte(s.ID>>8), byte(s.ID))
		dst = appendUint32(dst, s.Val)
	}
	return dst
}

// AppendSettingsAck appends an empty SETTINGS frame with FlagAck.
func AppendSettingsAck(dst []byte) []byte {
	return appendHeader(dst, 0, FrameSettings, FlagAck, 0)
}

// AppendPing appends a PING frame carrying data, with FlagAck if ack.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-6.7
func AppendPing(dst []byte, ack bool, data [8]byte) []byte {
	var fl Flags
	if ack {
		fl = FlagAck
	}
	dst = appendHeader(dst, 8, FramePing, fl, 0)
	return append(dst, data[:]...)
}

// AppendGoAway appends a GOAWAY frame. It appends nothing if lastStreamID
// is above MaxStreamID or debug is longer than MaxFrameSizeLimit-8.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-6.8
func AppendGoAway(dst []byte, lastStreamID uint32, code ErrCode, debug []byte) []byte {
	if lastStreamID > MaxStreamID || len(debug) > MaxFrameSizeLimit-8 {
		return dst
	}
	dst = appendHeader(dst, 8+len(debug), FrameGoAway, 0, 0)
	dst = appendUint32(dst, lastStreamID)
	dst = appendUint32(dst, uint32(code))
	return append(dst, debug...)
}

// AppendWindowUpdate appends a WINDOW_UPDATE frame for streamID (0 for the
// connection). It appends nothing if streamID is above MaxStreamID or incr
// is 0 or above MaxWindowSize.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-6.9
func AppendWindowUpdate(dst []byte, streamID, incr uint32) []byte {
	if streamID > MaxStreamID || incr == 0 || incr > MaxWindowSize {
		return dst
	}
	dst = appendHeader(dst, 4, FrameWindowUpdate, 0, streamID)
	return appendUint32(dst, incr)
}

// AppendRSTStream appends a RST_STREAM frame. It appends nothing if
// streamID is 0 or above MaxStreamID.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-6.4
func AppendRSTStream(dst []byte, streamID uint32, code ErrCode) []byte {
	if !validStream(streamID) {
		return dst
	}
	dst = appendHeader(dst, 4, FrameRSTStream, 0, streamID)
	return appendUint32(dst, uint32(code))
}

func appendPriorityParam(dst []byte, p PriorityParam) []byte {
	v := p.StreamDep
	if p.Exclusive {
		v |= 1 << 31
	}
	return append(appendUint32(dst, v), p.Weight)
}

// validPriority reports whether p may be sent for streamID: a dependency
// within MaxStreamID and not on the stream itself.
func validPriority(streamID uint32, p PriorityParam) bool {
	return p.StreamDep <= MaxStreamID && p.StreamDep != streamID
}

// AppendPriority appends a PRIORITY frame. It appends nothing if streamID
// is 0 or above MaxStreamID, or p.StreamDep is above MaxStreamID or equal
// to streamID.
//
// See https://www.rfc-editor.org/rfc/rfc9113#section-6.3
func AppendPriority(dst []byte, streamID uint32, p PriorityParam) []byte {
	if !validStream(streamID) || !validPriority(streamID, p) {
		return dst
	}
	dst = appendHeader(dst, 5, FramePriority, 0, streamID)
	return appendPriorityParam(dst, p)
}

// AppendPriorityUpdate appends a PRIORITY_UPDATE frame (on stream 0) for
// prioritizedID with the Priority Field Value field, such as "u=1, i". It
// appends nothing if prioritizedID is 0 or above MaxStreamID, or field is
// longer than MaxFrameSizeLimit-4.
//
// See https://www.rfc-editor.org/rfc/rfc9218#section-7.1
func AppendPriorityUpdate(dst []byte, prioritizedID uint32, field []byte) []byte {
	if !validStream(prioritizedID) || len(field) > MaxFrameSizeLimit-4 {
		return dst
	}
	dst = appendHeader(dst, 4+len(field), FramePriorityUpdate, 0, 0)
	dst = appendUint32(dst, prioritizedID)
	return append(dst, field...)
}

// AppendFrame appends the frame f, as decoded by FrameReader.ReadFrame,
// re-encoded from its fields: its Type, Flags (undefined flags included)
// and StreamID, and the fields that apply to the type; f.Length is
// ignored and recomputed. Padding is written as PadLen zero bytes when
// FlagPadded is set; HEADERS carry f.Priority when FlagPriority is set;
// a frame of unknown type carries f.Data. It appends nothing when the
// fields break a rule that ReadFrame checks (for example a stream
// identifier of 0 on DATA, a SETTINGS ACK with settings, a PING whose Data
// is not 8 bytes).
func AppendFrame(dst []byte, f *Frame) []byte {
	id, fl := f.StreamID, f.Flags
	if id > MaxStreamID {
		return dst
	}
	padded := fl.Has(FlagPadded)
	switch f.Type {
	case FrameData:
		if id == 0 {
			return dst
		}
		return appendPadded(dst, FrameData, fl, id, padded, f.PadLen, nil, f.Data)
	case FrameHeaders:
		if id == 0 {
			return dst
		}
		var fixed [5]byte
		n := 0
		if fl.Has(FlagPriority) {
			if !validPriority(id, f.Priority) {
				return dst
			}
			appendPriorityParam(fixed[:0], f.Priority)
			n = 5
		}
		return appendPadded(dst, FrameHeaders, fl, id, padded, f.PadLen, fixed[:n], f.Data)
	case FramePushPromise:
		if id == 0 || !validStream(f.PromisedStreamID) {
			return dst
		}
		var fixed [4]byte
		appendUint32(fixed[:0], f.PromisedStreamID)
		return appendPadded(dst, FramePushPromise, fl, id, padded, f.PadLen, fixed[:], f.Data)
	case FrameContinuation:
		if id == 0 {
			return dst
		}
		return appendPadded(dst, FrameContinuation, fl, id, false, 0, nil, f.Data)
	case FramePriority:
		if id == 0 || !validPriority(id, f.Priority) {
			return dst
		}
		dst = appendHeader(dst, 5, FramePriority, fl, id)
		return appendPriorityParam(dst, f.Priority)
	case FrameRSTStream:
		if id == 0 {
			return dst
		}
		dst = appendHeader(dst, 4, FrameRSTStream, fl, id)
		return appendUint32(dst, uint32(f.Code))
	case FrameSettings:
		if id != 0 || (fl.Has(FlagAck) && len(f.Settings) > 0) {
			return dst
		}
		start := len(dst)
		dst = AppendSettings(dst, f.Settings...)
		if len(dst) > start {
			dst[start+4] = byte(fl)
		}
		return dst
	case FramePing:
		if id != 0 || len(f.Data) != 8 {
			return dst
		}
		dst = appendHeader(dst, 8, FramePing, fl, 0)
		return append(dst, f.Data...)
	case FrameGoAway:
		if id != 0 {
			return dst
		}
		start := len(dst)
		dst = AppendGoAway(dst, f.LastStreamID, f.Code, f.Data)
		if len(dst) > start {
			dst[start+4] = byte(fl)
		}
		return dst
	case FrameWindowUpdate:
		start := len(dst)
		dst = AppendWindowUpdate(dst, id, f.Increment)
		if len(dst) > start {
			dst[start+4] = byte(fl)
		}
		return dst
	case FramePriorityUpdate:
		if id != 0 {
			return dst
		}
		start := len(dst)
		dst = AppendPriorityUpdate(dst, f.PrioritizedStreamID, f.Data)
		if len(dst) > start {
			dst[start+4] = byte(fl)
		}
		return dst
	}
	if len(f.Data) > MaxFrameSizeLimit {
		return dst
	}
	dst = appendHeader(dst, len(f.Data), f.Type, fl, id)
	return append(dst, f.Data...)
}
