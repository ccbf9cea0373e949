import Testing
@testable import Net

/// When the connection acknowledges: delayed ACKs for data in order (RFC 9293 §3.8.6.3,
/// RFC 5681 §4.2) and window updates only when the window grew by a segment (§3.8.6.2.2);
/// from the state machine's ESTABLISHED connection.
extension TCPStateMachineTests {
    @Test func aRequestAnsweredAtOnceCostsOneSegmentCarryingItsACK() {
        var tcp = established()
        let request = [UInt8](repeating: 0x47, count: 80)
        tcp.handle(In(sequence: 1001, acknowledgement: 5001, flags: [.ack, .psh], window: 8192, payload: request), now: 20)
        #expect(tcp.poll(now: 20).isEmpty)                      // the ACK waits for the answer
        #expect(tcp.receive(maximum: 4096) == request)
        #expect(tcp.poll(now: 20).isEmpty)                      // reading 80 bytes is no window update
        #expect(tcp.send([UInt8](repeating: 0x48, count: 162)[...]) == 162)
        let answer = tcp.poll(now: 21)
        #expect(answer.count == 1)
        #expect(answer.first?.payload.count == 162 && answer.first?.acknowledgement == 1081)
        #expect(answer.first?.flags.contains(.ack) == true)
    }

    @Test func anUnansweredRequestIsAcknowledgedAfterTheDelay() {
        var tcp = established()
        tcp.handle(In(sequence: 1001, acknowledgement: 5001, flags: [.ack], window: 8192, payload: [1, 2, 3]), now: 100)
        #expect(tcp.poll(now: 100).isEmpty)
        #expect(tcp.nextDeadline == 100 + TCPConnection.delayedACKTimeout)
        #expect(tcp.poll(now: 100 + TCPConnection.delayedACKTimeout - 1).isEmpty)
        let ack = tcp.poll(now: 100 + TCPConnection.delayedACKTimeout)
        #expect(ack.map(\.acknowledgement) == [1004] && ack.first?.payload.isEmpty == true)
        #expect(tcp.nextDeadline == nil)
    }

    @Test func twoFullSegmentsAreAcknowledgedAtOnce() {
        var tcp = established()
        let full = [UInt8](repeating: 7, count: 1460)
        tcp.handle(In(sequence: 1001, acknowledgement: 5001, flags: [.ack], window: 8192, payload: full), now: 30)
        #expect(tcp.poll(now: 30).isEmpty)
        tcp.handle(In(sequence: 2461, acknowledgement: 5001, flags: [.ack], window: 8192, payload: full), now: 30)
        #expect(tcp.poll(now: 30).map(\.acknowledgement) == [3921])
    }

    @Test func outOfOrderDataAndTheFINAreAcknowledgedAtOnce() {
        var tcp = established()
        tcp.handle(In(sequence: 1101, acknowledgement: 5001, flags: [.ack], window: 8192, payload: [9]), now: 40)
        #expect(tcp.poll(now: 40).map(\.acknowledgement) == [1001])   // a duplicate ACK for the hole
        tcp.handle(In(sequence: 1001, acknowledgement: 5001, flags: [.ack], window: 8192, payload: [UInt8](repeating: 1, count: 100)), now: 41)
        #expect(tcp.poll(now: 41).map(\.acknowledgement) == [1102])   // the hole filled
        tcp.handle(In(sequence: 1102, acknowledgement: 5001, flags: [.ack, .fin], window: 8192, payload: [2]), now: 42)
        #expect(tcp.poll(now: 42).map(\.acknowledgement) == [1104])
    }

    @Test func readingAFullWindowAnnouncesTheOpening() {
        var tcp = established()
        let chunk = [UInt8](repeating: 3, count: 1460)
        var sequence: UInt32 = 1001
        while tcp.receiveWindow >= 1460 {                         // fill the buffer
            tcp.handle(In(sequence: sequence, acknowledgement: 5001, flags: [.ack], window: 8192, payload: chunk), now: 50)
            sequence &+= 1460
            _ = tcp.poll(now: 50)
        }
        _ = tcp.poll(now: 50 + TCPConnection.delayedACKTimeout)   // everything acknowledged, the small window advertised
        #expect(tcp.poll(now: 60).isEmpty)
        _ = tcp.receive(maximum: 100)
        #expect(tcp.poll(now: 60).isEmpty)                        // 100 bytes more is silly
        _ = tcp.receive(maximum: 3000)
        let update = tcp.poll(now: 60)
        #expect(update.count == 1 && update.first?.payload.isEmpty == true)
        #expect(Int(update.first?.window ?? 0) == tcp.receiveWindow)
    }
}

extension TCPStateMachineTests {
    /// After our FIN is acknowledged the peer may still send (a half-close): its data's
    /// delayed ACK is a deadline of the connection in FIN-WAIT-2 too.
    @Test func dataInFinWait2IsAcknowledgedAfterTheDelay() {
        var tcp = established()
        tcp.close()
        _ = tcp.poll(now: 20)
        tcp.handle(In(sequence: 1001, acknowledgement: 5002, flags: [.ack], window: 8192), now: 25)
        #expect(tcp.state == .finWait2)
        tcp.handle(In(sequence: 1001, acknowledgement: 5002, flags: [.ack], window: 8192, payload: [1, 2, 3]), now: 30)
        #expect(tcp.poll(now: 30).isEmpty)
        #expect(tcp.nextDeadline == 30 + TCPConnection.delayedACKTimeout)
        #expect(tcp.poll(now: 30 + TCPConnection.delayedACKTimeout).map(\.acknowledgement) == [1004])
    }
}
