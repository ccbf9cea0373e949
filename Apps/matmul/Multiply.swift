import Parallel

/// Matrix products: the naive triple loop (the reference), a cache-blocked product with row
/// blocks computed in parallel, and Strassen's algorithm with its seven products forked with
/// `Parallel.join`.
public enum Multiply {
    /// The textbook i-j-k product: the reference the others are checked against.
    public static func naive(_ a: Matrix, _ b: Matrix) -> Matrix {
        var c = Matrix(zeros: a.n)
        for i in 0..<a.n {
            for j in 0..<a.n {
                var sum: Double = 0
                for k in 0..<a.n { sum += a[i, k] * b[k, j] }
                c[i, j] = sum
            }
        }
        return c
    }

    /// Rows `rows` of a × b, as row-major elements, in tiles of `tile` (i-k-j order inside a
    /// tile, so the innermost loop walks both b and the result contiguously).
    static func rows(_ rows: Range<Int>, of a: Matrix, times b: Matrix, tile: Int) -> [Double] {
        let n = a.n
        var out = [Double](repeating: 0, count: rows.count * n)
        var k0 = 0
        while k0 < n {
            let k1 = min(k0 + tile, n)
            var j0 = 0
            while j0 < n {
                let j1 = min(j0 + tile, n)
                for i in rows {
                    let row = (i - rows.lowerBound) * n
                    for k in k0..<k1 {
                        let aik = a.elements[i * n + k]
                        let bRow = k * n
                        for j in j0..<j1 { out[row + j] += aik * b.elements[bRow + j] }
                    }
                }
                j0 = j1
            }
            k0 = k1
        }
        return out
    }

    /// The blocked product on one thread.
    public static func blocked(_ a: Matrix, _ b: Matrix, tile: Int = 32) -> Matrix {
        Matrix(n: a.n, elements: rows(0..<a.n, of: a, times: b, tile: tile))
    }

    /// The blocked product, bands of `band` rows computed in parallel.
    public static func parallelBlocked(_ a: Matrix, _ b: Matrix, band: Int = 16, tile: Int = 32) -> Matrix {
        let bands = (a.n + band - 1) / band
        let parts = Parallel.reduce(0..<bands, grain: 1, identity: [Double](), { chunk in
            rows((chunk.lowerBound * band)..<min(chunk.upperBound * band, a.n), of: a, times: b, tile: tile)
        }, combine: { $0 + $1 })
        return Matrix(n: a.n, elements: parts)
    }

    /// Strassen's algorithm: seven half-size products (forked in parallel) instead of eight,
    /// recursing until n ≤ `cutoff` (or n is odd), where the blocked product takes over.
    public static func strassen(_ a: Matrix, _ b: Matrix, cutoff: Int = 64) -> Matrix {
        if a.n <= cutoff || a.n % 2 != 0 { return blocked(a, b) }
        let a11 = a.quadrant(0, 0), a12 = a.quadrant(0, 1), a21 = a.quadrant(1, 0), a22 = a.quadrant(1, 1)
        let b11 = b.quadrant(0, 0), b12 = b.quadrant(0, 1), b21 = b.quadrant(1, 0), b22 = b.quadrant(1, 1)
        let ((m1, m2), (m3, m4)) = Parallel.join({
            Parallel.join({ strassen(a11 + a22, b11 + b22, cutoff: cutoff) }, { strassen(a21 + a22, b11, cutoff: cutoff) })
        }, {
            Parallel.join({ strassen(a11, b12 - b22, cutoff: cutoff) }, { strassen(a22, b21 - b11, cutoff: cutoff) })
        })
        let ((m5, m6), m7) = Parallel.join({
            Parallel.join({ strassen(a11 + a12, b22, cutoff: cutoff) }, { strassen(a21 - a11, b11 + b12, cutoff: cutoff) })
        }, {
            strassen(a12 - a22, b21 + b22, cutoff: cutoff)
        })
        return Matrix.assemble(m1 + m4 - m5 + m7, m3 + m5, m2 + m4, m1 - m2 + m3 + m6)
    }
}
