/// A square matrix of doubles in row-major order: a plain value, shared between tasks by
/// copying (copy-on-write), never by reference.
public struct Matrix: Sendable, Equatable {
    public let n: Int
    public var elements: [Double]

    /// An n × n matrix of zeros.
    public init(zeros n: Int) {
        self.n = n
        elements = [Double](repeating: 0, count: n * n)
    }

    /// An n × n matrix whose element (i, j) is `value(i, j)`.
    public init(_ n: Int, _ value: (Int, Int) -> Double) {
        self.n = n
        var elements = [Double]()
        elements.reserveCapacity(n * n)
        for i in 0..<n { for j in 0..<n { elements.append(value(i, j)) } }
        self.elements = elements
    }

    init(n: Int, elements: [Double]) {
        precondition(elements.count == n * n, "a matrix needs n * n elements")
        self.n = n
        self.elements = elements
    }

    public subscript(i: Int, j: Int) -> Double {
        get { elements[i * n + j] }
        set { elements[i * n + j] = newValue }
    }

    /// The sum of all elements, as an integer (the test matrices hold small integers, so
    /// every product is exact and the checksum identical whatever the algorithm).
    public var checksum: Int64 {
        var sum: Double = 0
        for value in elements { sum += value }
        return Int64(sum)
    }

    /// Quadrant (row, column) ∈ {0, 1}², for even n.
    func quadrant(_ row: Int, _ column: Int) -> Matrix {
        let half = n / 2
        var out = [Double]()
        out.reserveCapacity(half * half)
        for i in 0..<half {
            let start = (row * half + i) * n + column * half
            out.append(contentsOf: elements[start..<(start + half)])
        }
        return Matrix(n: half, elements: out)
    }

    /// The matrix with quadrants q11, q12, q21, q22.
    static func assemble(_ q11: Matrix, _ q12: Matrix, _ q21: Matrix, _ q22: Matrix) -> Matrix {
        let half = q11.n
        var out = [Double]()
        out.reserveCapacity(4 * half * half)
        for i in 0..<half {
            out.append(contentsOf: q11.elements[(i * half)..<((i + 1) * half)])
            out.append(contentsOf: q12.elements[(i * half)..<((i + 1) * half)])
        }
        for i in 0..<half {
            out.append(contentsOf: q21.elements[(i * half)..<((i + 1) * half)])
            out.append(contentsOf: q22.elements[(i * half)..<((i + 1) * half)])
        }
        return Matrix(n: 2 * half, elements: out)
    }

    static func + (a: Matrix, b: Matrix) -> Matrix {
        var out = a
        for index in 0..<out.elements.count { out.elements[index] += b.elements[index] }
        return out
    }

    static func - (a: Matrix, b: Matrix) -> Matrix {
        var out = a
        for index in 0..<out.elements.count { out.elements[index] -= b.elements[index] }
        return out
    }
}
