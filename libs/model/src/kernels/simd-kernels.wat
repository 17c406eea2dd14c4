;; f32x4 SIMD kernels for the tfjs wasm backend, reading and writing its own memory (imported).
;; bmm: batched matMul of small matrices (attention: [B·H, 32, 32] × [B·H, 32, 32]).
;; colsum: column sums (bias gradients).
;;
;; C[n] = op(A[n]) · op(B[n]) for n < batch, C[n] row-major [m, cols].
;; A element (i, k) of batch n is at  a + n·aBatch + i·aRow + k·aCol  (byte strides), which
;; covers A and Aᵀ. B is read as a row-major [depth, cols] matrix; a transposed B ([cols, depth]
;; in memory) is first copied transposed into `scratch` (depth·cols floats) by the caller's flag.
;; Micro-kernel: 4 rows × 8 columns (8 f32x4 accumulators). Requires m % 4 == 0, cols % 8 == 0.
;; Regenerate the committed bytes with assemble-kernel.ts after editing.
(module
  (import "env" "memory" (memory 1))

  ;; dst[k·cols + j] = src[j·depth + k]: a row-major [cols, depth] matrix into [depth, cols].
  (func $transpose (param $src i32) (param $dst i32) (param $depth i32) (param $cols i32)
    (local $j i32) (local $k i32) (local $s i32)
    (local.set $j (i32.const 0))
    (block $jdone
      (loop $jloop
        (br_if $jdone (i32.ge_u (local.get $j) (local.get $cols)))
        (local.set $s (i32.add (local.get $src)
          (i32.shl (i32.mul (local.get $j) (local.get $depth)) (i32.const 2))))
        (local.set $k (i32.const 0))
        (block $kdone
          (loop $kloop
            (br_if $kdone (i32.ge_u (local.get $k) (local.get $depth)))
            (f32.store
              (i32.add (local.get $dst)
                (i32.shl (i32.add (i32.mul (local.get $k) (local.get $cols)) (local.get $j))
                  (i32.const 2)))
              (f32.load (i32.add (local.get $s) (i32.shl (local.get $k) (i32.const 2)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $kloop)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $jloop))))

  (func (export "bmm")
    (param $a i32) (param $b i32) (param $c i32) (param $batch i32)
    (param $m i32) (param $depth i32) (param $cols i32)
    (param $aBatch i32) (param $aRow i32) (param $aCol i32)
    (param $bTransposed i32) (param $scratch i32)
    (local $n i32) (local $i i32) (local $j i32) (local $k i32)
    (local $aBase i32) (local $bBase i32) (local $bMat i32) (local $cBase i32)
    (local $pa i32) (local $pb i32) (local $pc i32)
    (local $bStride i32) (local $cStride i32) (local $bSize i32)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $bStride (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $cStride (local.get $bStride))
    (local.set $bSize (i32.mul (local.get $depth) (local.get $bStride)))
    (local.set $n (i32.const 0))
    (block $ndone
      (loop $nloop
        (br_if $ndone (i32.ge_u (local.get $n) (local.get $batch)))
        (local.set $aBase (i32.add (local.get $a) (i32.mul (local.get $n) (local.get $aBatch))))
        (local.set $bMat (i32.add (local.get $b) (i32.mul (local.get $n) (local.get $bSize))))
        (local.set $cBase
          (i32.add (local.get $c) (i32.mul (local.get $n) (i32.mul (local.get $m) (local.get $cStride)))))
        (if (local.get $bTransposed)
          (then
            (call $transpose (local.get $bMat) (local.get $scratch) (local.get $depth) (local.get $cols))
            (local.set $bMat (local.get $scratch))))
        (local.set $i (i32.const 0))
        (block $idone
          (loop $iloop
            (br_if $idone (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $j (i32.const 0))
            (block $jdone
              (loop $jloop
                (br_if $jdone (i32.ge_u (local.get $j) (local.get $cols)))
                (local.set $c00 (v128.const i32x4 0 0 0 0))
                (local.set $c01 (v128.const i32x4 0 0 0 0))
                (local.set $c10 (v128.const i32x4 0 0 0 0))
                (local.set $c11 (v128.const i32x4 0 0 0 0))
                (local.set $c20 (v128.const i32x4 0 0 0 0))
                (local.set $c21 (v128.const i32x4 0 0 0 0))
                (local.set $c30 (v128.const i32x4 0 0 0 0))
                (local.set $c31 (v128.const i32x4 0 0 0 0))
                (local.set $pa (i32.add (local.get $aBase) (i32.mul (local.get $i) (local.get $aRow))))
                (local.set $pb (i32.add (local.get $bMat) (i32.shl (local.get $j) (i32.const 2))))
                (local.set $k (local.get $depth))
                (loop $kloop
                  (local.set $b0 (v128.load (local.get $pb)))
                  (local.set $b1 (v128.load offset=16 (local.get $pb)))
                  (local.set $s (f32x4.splat (f32.load (local.get $pa))))
                  (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
                  (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
                  (local.set $s (f32x4.splat (f32.load (i32.add (local.get $pa) (local.get $aRow)))))
                  (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
                  (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
                  (local.set $s (f32x4.splat (f32.load
                    (i32.add (local.get $pa) (i32.shl (local.get $aRow) (i32.const 1))))))
                  (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
                  (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
                  (local.set $s (f32x4.splat (f32.load
                    (i32.add (local.get $pa) (i32.mul (local.get $aRow) (i32.const 3))))))
                  (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
                  (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
                  (local.set $pa (i32.add (local.get $pa) (local.get $aCol)))
                  (local.set $pb (i32.add (local.get $pb) (local.get $bStride)))
                  (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                  (br_if $kloop (local.get $k)))
                (local.set $pc (i32.add (local.get $cBase)
                  (i32.add (i32.mul (local.get $i) (local.get $cStride)) (i32.shl (local.get $j) (i32.const 2)))))
                (v128.store (local.get $pc) (local.get $c00))
                (v128.store offset=16 (local.get $pc) (local.get $c01))
                (local.set $pc (i32.add (local.get $pc) (local.get $cStride)))
                (v128.store (local.get $pc) (local.get $c10))
                (v128.store offset=16 (local.get $pc) (local.get $c11))
                (local.set $pc (i32.add (local.get $pc) (local.get $cStride)))
                (v128.store (local.get $pc) (local.get $c20))
                (v128.store offset=16 (local.get $pc) (local.get $c21))
                (local.set $pc (i32.add (local.get $pc) (local.get $cStride)))
                (v128.store (local.get $pc) (local.get $c30))
                (v128.store offset=16 (local.get $pc) (local.get $c31))
                (local.set $j (i32.add (local.get $j) (i32.const 8)))
                (br $jloop)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $iloop)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $nloop))))
;; dst[j] = Σ_r src[r·cols + j] (column sums of a row-major [rows, cols]; cols % 4 == 0),
  ;; summed row by row in order: the bias gradient of a linear layer.
  (func (export "colsum") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $j i32) (local $end i32) (local $p i32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $cols) (i32.const 2))))
    (local.set $j (local.get $dst))
    (block $zdone
      (loop $zloop
        (br_if $zdone (i32.ge_u (local.get $j) (local.get $end)))
        (v128.store (local.get $j) (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $zloop)))
    (local.set $p (local.get $src))
    (local.set $r (i32.const 0))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $j (local.get $dst))
        (block $jdone
          (loop $jloop
            (br_if $jdone (i32.ge_u (local.get $j) (local.get $end)))
            (v128.store (local.get $j)
              (f32x4.add (v128.load (local.get $j)) (v128.load (local.get $p))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $jloop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop))))
;; adam: one fused Adam step over n floats (n % 4 == 0), in tfjs's AdamOptimizer order of f32
  ;; operations, on the clipped gradient g·scale:
  ;;   m' = m·b1 + g·(1-b1);  v' = v·b2 + g²·(1-b2)
  ;;   p' = (m'/c1) / (sqrt(v'/c2) + eps) · (-lr) + p      (c1 = 1 - b1^t, c2 = 1 - b2^t)
  (func (export "adam")
    (param $p i32) (param $g i32) (param $m i32) (param $v i32)
    (param $pOut i32) (param $mOut i32) (param $vOut i32) (param $n i32)
    (param $scale f32) (param $b1 f32) (param $omb1 f32) (param $b2 f32) (param $omb2 f32)
    (param $c1 f32) (param $c2 f32) (param $eps f32) (param $negLr f32)
    (local $i i32) (local $end i32)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $vScale v128) (local $vB1 v128) (local $vOmb1 v128) (local $vB2 v128) (local $vOmb2 v128)
    (local $vC1 v128) (local $vC2 v128) (local $vEps v128) (local $vNegLr v128)
    (local.set $vScale (f32x4.splat (local.get $scale)))
    (local.set $vB1 (f32x4.splat (local.get $b1)))
    (local.set $vOmb1 (f32x4.splat (local.get $omb1)))
    (local.set $vB2 (f32x4.splat (local.get $b2)))
    (local.set $vOmb2 (f32x4.splat (local.get $omb2)))
    (local.set $vC1 (f32x4.splat (local.get $c1)))
    (local.set $vC2 (f32x4.splat (local.get $c2)))
    (local.set $vEps (f32x4.splat (local.get $eps)))
    (local.set $vNegLr (f32x4.splat (local.get $negLr)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $gv (f32x4.mul (v128.load (i32.add (local.get $g) (local.get $i))) (local.get $vScale)))
        (local.set $mv (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $vB1))
          (f32x4.mul (local.get $gv) (local.get $vOmb1))))
        (local.set $vv (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $vB2))
          (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $vOmb2))))
        (v128.store (i32.add (local.get $mOut) (local.get $i)) (local.get $mv))
        (v128.store (i32.add (local.get $vOut) (local.get $i)) (local.get $vv))
        (v128.store (i32.add (local.get $pOut) (local.get $i))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $mv) (local.get $vC1))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (local.get $vC2))) (local.get $vEps)))
              (local.get $vNegLr))
            (v128.load (i32.add (local.get $p) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $loop))))
;; layernorm: per row of a row-major [rows, cols] x (cols % 4 == 0), eps given:
  ;;   mean = Σx/cols; var = Σ(x-mean)²/cols; rstd = 1/sqrt(var + eps)
  ;;   xhat = (x-mean)·rstd; y = xhat·gamma + beta.  Writes y, xhat [rows, cols] and rstd [rows].
  (func (export "layernorm")
    (param $x i32) (param $gamma i32) (param $beta i32) (param $y i32) (param $xhat i32)
    (param $rstd i32) (param $rows i32) (param $cols i32) (param $eps f32)
    (local $r i32) (local $j i32) (local $rowBytes i32) (local $off i32)
    (local $acc v128) (local $d v128) (local $mean f32) (local $rs f32) (local $vMean v128) (local $vRs v128)
    (local $count f32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $count (f32.convert_i32_u (local.get $cols)))
    (local.set $r (i32.const 0))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $off (i32.mul (local.get $r) (local.get $rowBytes)))
        ;; mean
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $d1
          (loop $l1
            (br_if $d1 (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $acc (f32x4.add (local.get $acc)
              (v128.load (i32.add (local.get $x) (i32.add (local.get $off) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $l1)))
        (local.set $mean (f32.div
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
            (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))
          (local.get $count)))
        (local.set $vMean (f32x4.splat (local.get $mean)))
        ;; variance
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $d2
          (loop $l2
            (br_if $d2 (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $d (f32x4.sub
              (v128.load (i32.add (local.get $x) (i32.add (local.get $off) (local.get $j))))
              (local.get $vMean)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $d) (local.get $d))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $l2)))
        (local.set $rs (f32.div (f32.const 1)
          (f32.sqrt (f32.add
            (f32.div
              (f32.add
                (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
                (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))
              (local.get $count))
            (local.get $eps)))))
        (f32.store (i32.add (local.get $rstd) (i32.shl (local.get $r) (i32.const 2))) (local.get $rs))
        (local.set $vRs (f32x4.splat (local.get $rs)))
        ;; normalise, scale, shift
        (local.set $j (i32.const 0))
        (block $d3
          (loop $l3
            (br_if $d3 (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $d (f32x4.mul
              (f32x4.sub
                (v128.load (i32.add (local.get $x) (i32.add (local.get $off) (local.get $j))))
                (local.get $vMean))
              (local.get $vRs)))
            (v128.store (i32.add (local.get $xhat) (i32.add (local.get $off) (local.get $j))) (local.get $d))
            (v128.store (i32.add (local.get $y) (i32.add (local.get $off) (local.get $j)))
              (f32x4.add
                (f32x4.mul (local.get $d) (v128.load (i32.add (local.get $gamma) (local.get $j))))
                (v128.load (i32.add (local.get $beta) (local.get $j)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $l3)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop))))
;; gelu: tanh-GELU written as y = x·σ(u), u = x·(C1 + C2·x²), over n floats (n % 4 == 0), and its
  ;; derivative d = σ + x·σ·(1-σ)·(C1 + 3·C2·x²), so the backward pass is one multiply.
  ;; σ(u) = 1/(1 + e^-u), e^z = 2^k·p(r) with k = round(z·log2 e), r = z - k·ln 2 (|r| ≤ 0.35)
  ;; and p the degree-6 Taylor polynomial (relative error < 2e-7); z clamped to [-87, 87].
  (func (export "gelu") (param $x i32) (param $y i32) (param $d i32) (param $n i32)
    (param $c1 f32) (param $c2 f32)
    (local $i i32) (local $end i32)
    (local $xv v128) (local $x2 v128) (local $z v128) (local $k v128) (local $r v128) (local $p v128)
    (local $s v128) (local $one v128) (local $vc1 v128) (local $vc2 v128)
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $vc1 (f32x4.splat (local.get $c1)))
    (local.set $vc2 (f32x4.splat (local.get $c2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $xv (v128.load (i32.add (local.get $x) (local.get $i))))
        (local.set $x2 (f32x4.mul (local.get $xv) (local.get $xv)))
        ;; z = -u, clamped
        (local.set $z (f32x4.neg (f32x4.mul (local.get $xv)
          (f32x4.add (f32x4.mul (local.get $x2) (local.get $vc2)) (local.get $vc1)))))
        (local.set $z (f32x4.pmin (f32x4.pmax (local.get $z) (f32x4.splat (f32.const -87)))
          (f32x4.splat (f32.const 87))))
        ;; t = z·log2 e + 1.5·2^23 rounds to an integer k in its low mantissa bits: k = t - 1.5·2^23
        (local.set $k (f32x4.add (f32x4.mul (local.get $z) (f32x4.splat (f32.const 1.4426950408889634)))
          (f32x4.splat (f32.const 12582912))))
        (local.set $r (f32x4.sub (local.get $k) (f32x4.splat (f32.const 12582912))))
        (local.set $r (f32x4.sub
          (f32x4.sub (local.get $z) (f32x4.mul (local.get $r) (f32x4.splat (f32.const 0.693145751953125))))
          (f32x4.mul (local.get $r) (f32x4.splat (f32.const 1.428606765330187e-06)))))
        (local.set $p (f32x4.add (f32x4.splat (f32.const 0.0013888888888888889))
          (f32x4.mul (local.get $r) (f32x4.splat (f32.const 0.0001984126984126984)))))
        (local.set $p (f32x4.add (f32x4.splat (f32.const 0.008333333333333333)) (f32x4.mul (local.get $r) (local.get $p))))
        (local.set $p (f32x4.add (f32x4.splat (f32.const 0.041666666666666664)) (f32x4.mul (local.get $r) (local.get $p))))
        (local.set $p (f32x4.add (f32x4.splat (f32.const 0.16666666666666666)) (f32x4.mul (local.get $r) (local.get $p))))
        (local.set $p (f32x4.add (f32x4.splat (f32.const 0.5)) (f32x4.mul (local.get $r) (local.get $p))))
        (local.set $p (f32x4.add (local.get $one) (f32x4.mul (local.get $r) (local.get $p))))
        (local.set $p (f32x4.add (local.get $one) (f32x4.mul (local.get $r) (local.get $p))))
        ;; e^z = p·2^k: the bits of t are 0x4B400000 + k; (k + 127) << 23 is 2^k (the rest shifts out)
        (local.set $p (f32x4.mul (local.get $p)
          (i32x4.shl (i32x4.add (local.get $k) (i32x4.splat (i32.const 127))) (i32.const 23))))
        (local.set $s (f32x4.div (local.get $one) (f32x4.add (local.get $one) (local.get $p))))
        (v128.store (i32.add (local.get $y) (local.get $i)) (f32x4.mul (local.get $xv) (local.get $s)))
        ;; d = s + x·s·(1-s)·(C1 + 3·C2·x²)
        (v128.store (i32.add (local.get $d) (local.get $i))
          (f32x4.add (local.get $s)
            (f32x4.mul
              (f32x4.mul (f32x4.mul (local.get $xv) (local.get $s)) (f32x4.sub (local.get $one) (local.get $s)))
              (f32x4.add (local.get $vc1)
                (f32x4.mul (local.get $x2) (f32x4.mul (local.get $vc2) (f32x4.splat (f32.const 3))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $loop))))
;; layernormbwd: the layer-norm gradient per row r of dy, xhat [rows, cols] (cols % 4 == 0) with
  ;; rstd [rows] and gamma [cols]:  g = dy·gamma, a = Σg/cols, b = Σ(g·xhat)/cols,
  ;;   dx = rstd·((g - a) - xhat·b)
  ;; and over all rows in row order: dgamma = Σ dy·xhat, dbeta = Σ dy ([cols] each, overwritten).
  (func (export "layernormbwd")
    (param $dy i32) (param $xhat i32) (param $rstd i32) (param $gamma i32) (param $dx i32)
    (param $dgamma i32) (param $dbeta i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $j i32) (local $rowBytes i32) (local $off i32)
    (local $g v128) (local $xh v128) (local $dyv v128) (local $accA v128) (local $accB v128)
    (local $vA v128) (local $vB v128) (local $vRs v128) (local $count f32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $count (f32.convert_i32_u (local.get $cols)))
    (local.set $j (i32.const 0))
    (block $z
      (loop $lz
        (br_if $z (i32.ge_u (local.get $j) (local.get $rowBytes)))
        (v128.store (i32.add (local.get $dgamma) (local.get $j)) (v128.const i32x4 0 0 0 0))
        (v128.store (i32.add (local.get $dbeta) (local.get $j)) (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $lz)))
    (local.set $r (i32.const 0))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $off (i32.mul (local.get $r) (local.get $rowBytes)))
        ;; row sums of g and g·xhat; column sums of dy·xhat and dy
        (local.set $accA (v128.const i32x4 0 0 0 0))
        (local.set $accB (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $d1
          (loop $l1
            (br_if $d1 (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $dyv (v128.load (i32.add (local.get $dy) (i32.add (local.get $off) (local.get $j)))))
            (local.set $xh (v128.load (i32.add (local.get $xhat) (i32.add (local.get $off) (local.get $j)))))
            (local.set $g (f32x4.mul (local.get $dyv) (v128.load (i32.add (local.get $gamma) (local.get $j)))))
            (local.set $accA (f32x4.add (local.get $accA) (local.get $g)))
            (local.set $accB (f32x4.add (local.get $accB) (f32x4.mul (local.get $g) (local.get $xh))))
            (v128.store (i32.add (local.get $dgamma) (local.get $j))
              (f32x4.add (v128.load (i32.add (local.get $dgamma) (local.get $j)))
                (f32x4.mul (local.get $dyv) (local.get $xh))))
            (v128.store (i32.add (local.get $dbeta) (local.get $j))
              (f32x4.add (v128.load (i32.add (local.get $dbeta) (local.get $j))) (local.get $dyv)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $l1)))
        (local.set $vA (f32x4.splat (f32.div
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $accA)) (f32x4.extract_lane 1 (local.get $accA)))
            (f32.add (f32x4.extract_lane 2 (local.get $accA)) (f32x4.extract_lane 3 (local.get $accA))))
          (local.get $count))))
        (local.set $vB (f32x4.splat (f32.div
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $accB)) (f32x4.extract_lane 1 (local.get $accB)))
            (f32.add (f32x4.extract_lane 2 (local.get $accB)) (f32x4.extract_lane 3 (local.get $accB))))
          (local.get $count))))
        (local.set $vRs (f32x4.splat
          (f32.load (i32.add (local.get $rstd) (i32.shl (local.get $r) (i32.const 2))))))
        (local.set $j (i32.const 0))
        (block $d2
          (loop $l2
            (br_if $d2 (i32.ge_u (local.get $j) (local.get $rowBytes)))
            (local.set $g (f32x4.mul
              (v128.load (i32.add (local.get $dy) (i32.add (local.get $off) (local.get $j))))
              (v128.load (i32.add (local.get $gamma) (local.get $j)))))
            (local.set $xh (v128.load (i32.add (local.get $xhat) (i32.add (local.get $off) (local.get $j)))))
            (v128.store (i32.add (local.get $dx) (i32.add (local.get $off) (local.get $j)))
              (f32x4.mul (local.get $vRs)
                (f32x4.sub (f32x4.sub (local.get $g) (local.get $vA))
                  (f32x4.mul (local.get $xh) (local.get $vB)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $l2)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop))))
;; sumsq: Σ x[i]² over n floats, for gradient clipping, read in place: f32x4 sums of blocks of
  ;; 256 floats, each block's lanes added into an f64 total, then the n % 4 tail in f64.
  (func (export "sumsq") (param $x i32) (param $n i32) (result f64)
    (local $p i32) (local $end i32) (local $blockEnd i32) (local $v v128) (local $acc v128)
    (local $s f64) (local $f f32)
    (local.set $p (local.get $x))
    (local.set $end (i32.add (local.get $x)
      (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $blockEnd (i32.add (local.get $p) (i32.const 1024)))
        (if (i32.gt_u (local.get $blockEnd) (local.get $end))
          (then (local.set $blockEnd (local.get $end))))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (block $bdone
          (loop $l
            (br_if $bdone (i32.ge_u (local.get $p) (local.get $blockEnd)))
            (local.set $v (v128.load (local.get $p)))
            (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $v) (local.get $v))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $l)))
        (local.set $s (f64.add (local.get $s)
          (f64.add
            (f64.add (f64.promote_f32 (f32x4.extract_lane 0 (local.get $acc)))
              (f64.promote_f32 (f32x4.extract_lane 1 (local.get $acc))))
            (f64.add (f64.promote_f32 (f32x4.extract_lane 2 (local.get $acc)))
              (f64.promote_f32 (f32x4.extract_lane 3 (local.get $acc)))))))
        (br $blocks)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $tdone
      (loop $t
        (br_if $tdone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $f (f32.load (local.get $p)))
        (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.mul (local.get $f) (local.get $f)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $t)))
    (local.get $s))
)
