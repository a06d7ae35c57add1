package http2

import (
	"time"

	"github.com/volthttp/volt/internal/bytesconv"
)

// processFrame acts on one frame read from the client.
func (cc *serverConn) processFrame(f *Frame) error {
	if cc.hdr.streamID != 0 && f.Type != FrameContinuation {
		// The frame reader enforces this too (RFC 9113 section 6.10).
		return errExpectedContinuation
	}
	switch f.Type {
	case FrameData:
		return cc.processData(f)
	case FrameHeaders:
		return cc.processHeaders(f)
	case FrameContinuation:
		return cc.processContinuation(f)
	case FramePriority:
		// RFC 7540 priorities are parsed and ignored (RFC 9113 section
		// 5.3.2); the frame may name any stream, even an idle one. It
		// does no work.
		return cc.noWork()
	case FrameRSTStream:
		return cc.processRSTStream(f)
	case FrameSettings:
		return cc.processSettings(f)
	case FramePushPromise:
		// A client cannot push (RFC 9113 section 8.4).
		return errClientPush
	case FramePing:
		return cc.processPing(f)
	case FrameGoAway:
		return cc.processGoAway(f)
	case FrameWindowUpdate:
		return cc.processWindowUpdate(f)
	case FramePriorityUpdate:
		return cc.processPriorityUpdate(f)
	default:
		// Unknown frame types are ignored (RFC 9113 section 5.5).
		return cc.noWork()
	}
}

// noWork counts a frame that does no work against MaxEmptyFrames.
func (cc *serverConn) noWork() error {
	if !cc.empties.take(time.Now()) {
		return errFlood
	}
	return nil
}

// processSettings applies the client's settings and acknowledges them
// (RFC 9113 section 6.5.3).
func (cc *serverConn) processSettings(f *Frame) error {
	if f.Flags.Has(FlagAck) {
		cc.settingsAck = true
		return nil
	}
	if err := cc.noWork(); err != nil {
		return err
	}
	if err := cc.applySettings(f); err != nil {
		return err
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if err := cc.queueControl(); err != nil {
		return err
	}
	cc.wbuf = AppendSettingsAck(cc.wbuf)
	return nil
}

// applySettings applies the client's settings.
func (cc *serverConn) applySettings(f *Frame) error {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for _, s := range f.Settings {
		switch s.ID {
		case SettingHeaderTableSize:
			cc.enc.SetMaxTableSizeLimit(s.Val)
		case SettingInitialWindowSize:
			// The difference applies to every open stream's send window
			// (section 6.9.2); a window pushed past 2^31-1 is a
			// connection error.
			delta := int64(s.Val) - cc.peerInitialWindow
			cc.peerInitialWindow = int64(s.Val)
			for _, st := range cc.streams {
				st.sendWindow += delta
				if st.sendWindow > MaxWindowSize {
					return errWindowOverflow
				}
			}
			if delta > 0 {
				cc.wakeQueued()
			}
		case SettingMaxFrameSize:
			cc.peerMaxFrameSize = s.Val
		case SettingMaxHeaderListSize:
			cc.peerMaxHeaderList = s.Val
		}
	}
	return nil
}

// appendSettings appends the server's SETTINGS frame.
func (cc *serverConn) appendSettings(dst []byte) []byte {
	s := cc.srv
	var connectProtocol uint32 = 1
	if s.DisableExtendedConnect {
		connectProtocol = 0
	}
	return AppendSettings(dst,
		Setting{SettingMaxConcurrentStreams, s.maxConcurrentStreams()},
		Setting{SettingInitialWindowSize, s.initialWindowSize()},
		Setting{SettingMaxFrameSize, s.maxReadFrameSize()},
		Setting{SettingMaxHeaderListSize, uint32(cc.limits.MaxHeaderBytes)},
		Setting{SettingHeaderTableSize, s.headerTableSize()},
		Setting{SettingEnablePush, 0},
		Setting{SettingNoRFC7540Priorities, 1},
		Setting{SettingEnableConnectProtocol, connectProtocol},
	)
}

// hasToken reports whether the comma-separated list v holds tok (ASCII
// case-insensitive).
func hasToken(v []byte, tok string) bool {
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		t := v[:i]
		for len(t) > 0 && (t[0] == ' ' || t[0] == '\t') {
			t = t[1:]
		}
		for len(t) > 0 && (t[len(t)-1] == ' ' || t[len(t)-1] == '\t') {
			t = t[:len(t)-1]
		}
		if len(t) == len(tok) && bytesconv.EqualFold(t, tok) {
			return true
		}
		if i == len(v) {
			break
		}
		v = v[i+1:]
	}
	return false
}

// processPing answers a PING (RFC 9113 section 6.7).
func (cc *serverConn) processPing(f *Frame) error {
	if f.Flags.Has(FlagAck) {
		cc.pingSent = false
		return nil
	}
	if err := cc.noWork(); err != nil {
		return err
	}
	var data [8]byte
	copy(data[:], f.Data)
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if err := cc.queueControl(); err != nil {
		return err
	}
	cc.wbuf = AppendPing(cc.wbuf, true, data)
	return nil
}

// queueControl counts a control frame about to be queued, and fails when
// the client let too many pile up without reading them. mu is held.
func (cc *serverConn) queueControl() error {
	if cc.ctrlQueued >= orInt(cc.srv.MaxQueuedControlFrames, DefaultMaxQueuedControlFrames) {
		return errFlood
	}
	cc.ctrlQueued++
	return nil
}

// processGoAway: the client will open no more streams; the connection
// ends when the open ones are done. The error code changes nothing
// (section 7: an unknown one must trigger no special behaviour; a known
// one tells why the client is going, and it closes its side itself), so
// frames that follow it, such as a PING, are still answered.
func (cc *serverConn) processGoAway(f *Frame) error {
	cc.shutdownReq.Store(true)
	return nil
}

// processWindowUpdate grows a send window (RFC 9113 section 6.9).
func (cc *serverConn) processWindowUpdate(f *Frame) error {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if f.StreamID == 0 {
		cc.sendWindow += int64(f.Increment)
		if cc.sendWindow > MaxWindowSize {
			return errWindowOverflow
		}
		cc.wakeQueued()
		return nil
	}
	st := cc.streams[f.StreamID]
	if st == nil {
		if f.StreamID > cc.maxClientID {
			return errIdleStream
		}
		// A closed stream: ignored (section 6.9), but a frame that does
		// no work.
		if !cc.empties.take(time.Now()) {
			return errFlood
		}
		return nil
	}
	st.sendWindow += int64(f.Increment)
	if st.sendWindow > MaxWindowSize {
		return StreamError{StreamID: f.StreamID, Code: ErrCodeFlowControl}
	}
	st.signal()
	return nil
}

// processRSTStream ends a stream the client reset: its handler's context
// is cancelled and its writes fail (RFC 9113 section 6.4).
func (cc *serverConn) processRSTStream(f *Frame) error {
	cc.mu.Lock()
	st := cc.streams[f.StreamID]
	if st == nil {
		idle := f.StreamID > cc.maxClientID
		cc.mu.Unlock()
		if idle {
			return errIdleStream
		}
		// A closed stream: a frame that does no work.
		if !cc.empties.take(time.Now()) {
			return errFlood
		}
		return nil
	}
	st.remoteReset = true
	st.abort(errStreamReset)
	cc.closeStream(st)
	cc.mu.Unlock()
	if !cc.resets.take(time.Now()) {
		return errRapidReset
	}
	return nil
}

// processPriorityUpdate changes the priority of a stream (RFC 9218
// section 7.1); one not open yet keeps nothing (the priority header of its
// request applies).
func (cc *serverConn) processPriorityUpdate(f *Frame) error {
	u, inc, ok := ParsePriorityField(f.Data)
	if !ok {
		return nil
	}
	cc.mu.Lock()
	if st := cc.streams[f.PrioritizedStreamID]; st != nil {
		st.urgency, st.incremental = u, inc
	}
	cc.mu.Unlock()
	return nil
}

// processData receives request body bytes (RFC 9113 section 6.1).
func (cc *serverConn) processData(f *Frame) error {
	n := int64(f.Length) // flow control counts the padding too
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if n > cc.recvAvail {
		return errFlowControl
	}
	cc.recvAvail -= n
	st := cc.streams[f.StreamID]
	if st == nil || st.remoteClosed {
		// The connection window is given back; the stream is closed, or
		// was never opened (a connection error).
		cc.credit(nil, n)
		if f.StreamID > cc.maxClientID {
			return errIdleStream
		}
		if !cc.empties.take(time.Now()) {
			return errFlood
		}
		if st == nil && cc.recentlyReset(f.StreamID) {
			return nil // in flight when the server reset it (section 5.4.2)
		}
		return StreamError{StreamID: f.StreamID, Code: ErrCodeStreamClosed}
	}
	if n > st.recvAvail {
		cc.credit(nil, n)
		return StreamError{StreamID: f.StreamID, Code: ErrCodeFlowControl}
	}
	st.recvAvail -= n
	end := f.Flags.Has(FlagEndStream)
	if len(f.Data) == 0 && !end && !cc.empties.take(time.Now()) {
		return errFlood
	}
	if err := st.receiveData(f.Data, n, end); err != nil {
		return err
	}
	if end && !st.closed { // closed: reset while taking the data
		return cc.endRemote(st)
	}
	return nil
}

// credit records n bytes of st (nil: of a closed stream) as consumed and
// gives the windows back with WINDOW_UPDATE once half of one is used: not
// per DATA frame, and soon enough that a fast client never waits. mu is
// held.
func (cc *serverConn) credit(st *stream, n int64) {
	cc.recvCredit += n
	if cc.recvCredit >= int64(cc.srv.connWindowSize())/2 {
		cc.wbuf = AppendWindowUpdate(cc.wbuf, 0, uint32(cc.recvCredit))
		cc.recvAvail += cc.recvCredit
		cc.recvCredit = 0
		cc.ctrlQueued++
	}
	if st == nil || st.remoteClosed {
		return
	}
	st.recvCredit += n
	if st.recvCredit >= int64(cc.srv.initialWindowSize())/2 {
		cc.wbuf = AppendWindowUpdate(cc.wbuf, st.id, uint32(st.recvCredit))
		st.recvAvail += st.recvCredit
		st.recvCredit = 0
		cc.ctrlQueued++
	}
}

// recentlyReset reports whether the server reset stream id lately: the
// client may have sent frames before it learnt it. cc.mu is held.
func (cc *serverConn) recentlyReset(id uint32) bool {
	for _, r := range cc.resetIDs {
		if r == id {
			return true
		}
	}
	return false
}
