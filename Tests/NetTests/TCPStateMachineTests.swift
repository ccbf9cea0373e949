import Testing
@testable import Net

/// TCPConnection driven segment by segment through its states (RFC 9293 Figure 5).
@Suite("TCP state machine")
struct TCPStateMachineTests {
    typealias In = TCPConnection.Incoming

    /// A passive connection in ESTABLISHED: peer ISS 1000, ours 5000.
    func established() -> TCPConnection {
        var tcp = TCPConnection(acceptingSYN: In(sequence: 1000, acknowledgement: 0, flags: [.syn], window: 8192, mss: 1000), iss: 5000)
        #expect(tcp.state == .synReceived)
        let synAck = tcp.poll(now: 0)
        #expect(synAck.count == 1 && synAck[0].flags == [.syn, .ack] && synAck[0].acknowledgement == 1001 && synAck[0].mss == 1460)
        tcp.handle(In(sequence: 1001, acknowledgement: 5001, flags: [.ack], window: 8192), now: 10)
        #expect(tcp.state == .established)
        return tcp
    }

    @Test func activeOpen() {
        var tcp = TCPConnection(connectingWithISS: 100)
        let syn = tcp.poll(now: 0)
        #expect(syn.map(\.flags) == [[.syn]] && syn[0].sequence == 100)
        tcp.handle(In(sequence: 7000, acknowledgement: 101, flags: [.syn, .ack], window: 4000, mss: 536), now: 5)
        #expect(tcp.state == .established)
        #expect(tcp.poll(now: 5).map(\.acknowledgement) == [7001])
    }

    @Test func activeOpenRefused() {
        var tcp = TCPConnection(connectingWithISS: 100)
        _ = tcp.poll(now: 0)
        tcp.handle(In(sequence: 0, acknowledgement: 101, flags: [.rst, .ack], window: 0), now: 1)
        #expect(tcp.state == .reset)
    }

    @Test func passiveCloseThroughCloseWaitAndLastAck() {
        var tcp = established()
        tcp.handle(In(sequence: 1001, acknowledgement: 5001, flags: [.fin, .ack], window: 8192), now: 20)
        #expect(tcp.state == .closeWait && tcp.atEndOfStream)
        #expect(tcp.poll(now: 20).last?.acknowledgement == 1002)
        tcp.close()
        let fin = tcp.poll(now: 21)
        #expect(fin.last?.flags == [.fin, .ack] && tcp.state == .lastAck)
        tcp.handle(In(sequence: 1002, acknowledgement: 5002, flags: [.ack], window: 8192), now: 30)
        #expect(tcp.state == .closed)
    }

    @Test func activeCloseThroughFinWaitAndTimeWait() {
        var tcp = established()
        tcp.close()
        #expect(tcp.poll(now: 20).last?.flags == [.fin, .ack] && tcp.state == .finWait1)
        tcp.handle(In(sequence: 1001, acknowledgement: 5002, flags: [.ack], window: 8192), now: 25)
        #expect(tcp.state == .finWait2)
        tcp.handle(In(sequence: 1001, acknowledgement: 5002, flags: [.fin, .ack], window: 8192), now: 30)
        #expect(tcp.state == .timeWait)
        _ = tcp.poll(now: 31)
        _ = tcp.poll(now: 30 + TCPConnection.timeWaitMilliseconds)
        #expect(tcp.state == .closed)
    }

    @Test func simultaneousCloseThroughClosing() {
        var tcp = established()
        tcp.close()
        _ = tcp.poll(now: 20)
        tcp.handle(In(sequence: 1001, acknowledgement: 5001, flags: [.fin, .ack], window: 8192), now: 21)   // their FIN, ours not yet acked
        #expect(tcp.state == .closing)
        tcp.handle(In(sequence: 1002, acknowledgement: 5002, flags: [.ack], window: 8192), now: 22)
        #expect(tcp.state == .timeWait)
    }

    @Test func anInWindowResetEndsTheConnectionAndAnOffWindowOneIsChallenged() {
        var tcp = established()
        tcp.handle(In(sequence: 1050, acknowledgement: 0, flags: [.rst], window: 0), now: 20)
        #expect(tcp.state == .established)
        #expect(tcp.poll(now: 20).map(\.flags) == [[.ack]])   // challenge ACK (RFC 5961)
        tcp.handle(In(sequence: 1001, acknowledgement: 0, flags: [.rst], window: 0), now: 21)
        #expect(tcp.state == .reset)
    }

    @Test func dataIsSegmentedByThePeersMSSAndRetransmittedAfterTheRTO() {
        var tcp = established()
        #expect(tcp.send(Array(repeating: 7, count: 2500)[...]) == 2500)
        let first = tcp.poll(now: 100)
        #expect(first.map(\.payload.count) == [1000, 1000, 500])   // the peer's MSS is 1000
        #expect(tcp.poll(now: 200).isEmpty)
        let again = tcp.poll(now: 100 + 1000)   // initial RTO: 1 s
        #expect(again.first?.sequence == 5001 && again.first?.payload.count == 1000)
        tcp.handle(In(sequence: 1001, acknowledgement: 5001 + 2500, flags: [.ack], window: 8192), now: 1200)
        #expect(tcp.allAcknowledged)
    }

    @Test func threeDuplicateACKsTriggerAFastRetransmit() {
        var tcp = established()
        _ = tcp.send(Array(repeating: 1, count: 4000)[...])
        _ = tcp.poll(now: 100)
        for _ in 0..<3 { tcp.handle(In(sequence: 1001, acknowledgement: 6001, flags: [.ack], window: 8192), now: 110) }
        // First ACK advanced to 6001; the next duplicates (same ack, same window) count.
        tcp.handle(In(sequence: 1001, acknowledgement: 6001, flags: [.ack], window: 8192), now: 111)
        let resent = tcp.poll(now: 112)
        #expect(resent.first?.sequence == 6001, "retransmitted before the RTO")
    }

    @Test func outOfOrderDataIsHeldAndDeliveredInOrder() {
        var tcp = established()
        tcp.handle(In(sequence: 1004, acknowledgement: 5001, flags: [.ack], window: 8192, payload: [4, 5, 6]), now: 20)
        #expect(tcp.available == 0)
        #expect(tcp.poll(now: 20).last?.acknowledgement == 1001)   // a duplicate ACK for the hole
        tcp.handle(In(sequence: 1001, acknowledgement: 5001, flags: [.ack], window: 8192, payload: [1, 2, 3]), now: 21)
        #expect(tcp.receive(maximum: 10) == [1, 2, 3, 4, 5, 6])
        // A retransmission of delivered data is acknowledged, not delivered twice.
        tcp.handle(In(sequence: 1001, acknowledgement: 5001, flags: [.ack], window: 8192, payload: [1, 2, 3]), now: 22)
        #expect(tcp.available == 0 && tcp.poll(now: 22).last?.acknowledgement == 1007)
    }

    @Test func aPeerThatNeverAnswersEndsInAReset() {
        var tcp = established()
        _ = tcp.send([1, 2, 3][...])
        var now: UInt64 = 100
        for _ in 0..<100 where tcp.state == .established {
            _ = tcp.poll(now: now)
            now += 60_000
        }
        #expect(tcp.state == .reset)
    }

    @Test func aZeroWindowIsProbedAndDataFlowsWhenItOpens() {
        var tcp = TCPConnection(acceptingSYN: In(sequence: 1000, acknowledgement: 0, flags: [.syn], window: 0), iss: 5000)
        _ = tcp.poll(now: 0)
        tcp.handle(In(sequence: 1001, acknowledgement: 5001, flags: [.ack], window: 0), now: 1)
        _ = tcp.send([9, 9, 9][...])
        let probe = tcp.poll(now: 2)
        #expect(probe.first?.payload.count == 1, "one byte probes a closed window")
        tcp.handle(In(sequence: 1001, acknowledgement: 5002, flags: [.ack], window: 100), now: 3)
        #expect(tcp.poll(now: 3).first?.payload == [9, 9])
    }
}
