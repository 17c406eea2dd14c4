;; f32x4 SIMD kernels of the lean inference path (libs/model/src/inference), on a memory the
;; inference engine owns (imported). Pointers are byte offsets; leading dimensions are in floats.
;; Regenerate the committed bytes with assemble-inference-kernels.ts after editing.
(module
  (import "env" "memory" (memory 1))

  ;; gemm: C[m, n] = act(A[m, k]·B[k, n] + bias[n]) (+ C when flags & 2), act = relu when flags & 1.
  ;; A, B, C row-major with leading dimensions lda, ldb, ldc. Requires m % 4 == 0, n % 8 == 0, k ≥ 1.
  ;; Rows are taken in tiles of 64 (the A tile stays in cache while every 8-column strip of B
  ;; passes over it); micro-kernel 4 rows × 8 columns, 8 f32x4 accumulators started at the bias.
  (func (export "gemm")
    (param $a i32) (param $b i32) (param $c i32) (param $bias i32)
    (param $m i32) (param $n i32) (param $k i32)
    (param $lda i32) (param $ldb i32) (param $ldc i32) (param $flags i32)
    (local $i0 i32) (local $iEnd i32) (local $i i32) (local $j i32) (local $kk i32)
    (local $pa i32) (local $pb i32) (local $pc i32)
    (local $aRow i32) (local $bRow i32) (local $cRow i32)
    (local $b0 v128) (local $b1 v128) (local $s v128) (local $bias0 v128) (local $bias1 v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $aRow (i32.shl (local.get $lda) (i32.const 2)))
    (local.set $bRow (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $cRow (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $i0 (i32.const 0))
    (block $tdone
      (loop $tloop
        (br_if $tdone (i32.ge_u (local.get $i0) (local.get $m)))
        (local.set $iEnd (i32.add (local.get $i0) (i32.const 64)))
        (if (i32.gt_u (local.get $iEnd) (local.get $m)) (then (local.set $iEnd (local.get $m))))
        (local.set $j (i32.const 0))
        (block $jdone
          (loop $jloop
            (br_if $jdone (i32.ge_u (local.get $j) (local.get $n)))
            (local.set $bias0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $bias1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
            (local.set $i (local.get $i0))
            (block $idone
              (loop $iloop
                (br_if $idone (i32.ge_u (local.get $i) (local.get $iEnd)))
                (local.set $c00 (local.get $bias0))
                (local.set $c01 (local.get $bias1))
                (local.set $c10 (local.get $bias0))
                (local.set $c11 (local.get $bias1))
                (local.set $c20 (local.get $bias0))
                (local.set $c21 (local.get $bias1))
                (local.set $c30 (local.get $bias0))
                (local.set $c31 (local.get $bias1))
                (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $aRow))))
                (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
                (local.set $kk (local.get $k))
                (loop $kloop
                  (local.set $b0 (v128.load (local.get $pb)))
                  (local.set $b1 (v128.load offset=16 (local.get $pb)))
                  (local.set $s (v128.load32_splat (local.get $pa)))
                  (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
                  (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
                  (local.set $s (v128.load32_splat (i32.add (local.get $pa) (local.get $aRow))))
                  (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
                  (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
                  (local.set $s (v128.load32_splat
                    (i32.add (local.get $pa) (i32.shl (local.get $aRow) (i32.const 1)))))
                  (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
                  (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
                  (local.set $s (v128.load32_splat
                    (i32.add (local.get $pa) (i32.mul (local.get $aRow) (i32.const 3)))))
                  (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
                  (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
                  (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
                  (local.set $pb (i32.add (local.get $pb) (local.get $bRow)))
                  (local.set $kk (i32.sub (local.get $kk) (i32.const 1)))
                  (br_if $kloop (local.get $kk)))
                (if (i32.and (local.get $flags) (i32.const 1))
                  (then
                    (local.set $s (v128.const i32x4 0 0 0 0))
                    (local.set $c00 (f32x4.max (local.get $c00) (local.get $s)))
                    (local.set $c01 (f32x4.max (local.get $c01) (local.get $s)))
                    (local.set $c10 (f32x4.max (local.get $c10) (local.get $s)))
                    (local.set $c11 (f32x4.max (local.get $c11) (local.get $s)))
                    (local.set $c20 (f32x4.max (local.get $c20) (local.get $s)))
                    (local.set $c21 (f32x4.max (local.get $c21) (local.get $s)))
                    (local.set $c30 (f32x4.max (local.get $c30) (local.get $s)))
                    (local.set $c31 (f32x4.max (local.get $c31) (local.get $s)))))
                (local.set $pc (i32.add (local.get $c)
                  (i32.add (i32.mul (local.get $i) (local.get $cRow)) (i32.shl (local.get $j) (i32.const 2)))))
                (if (i32.and (local.get $flags) (i32.const 2))
                  (then
                    (local.set $c00 (f32x4.add (v128.load (local.get $pc)) (local.get $c00)))
                    (local.set $c01 (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c01)))
                    (local.set $pc (i32.add (local.get $pc) (local.get $cRow)))
                    (local.set $c10 (f32x4.add (v128.load (local.get $pc)) (local.get $c10)))
                    (local.set $c11 (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c11)))
                    (local.set $pc (i32.add (local.get $pc) (local.get $cRow)))
                    (local.set $c20 (f32x4.add (v128.load (local.get $pc)) (local.get $c20)))
                    (local.set $c21 (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c21)))
                    (local.set $pc (i32.add (local.get $pc) (local.get $cRow)))
                    (local.set $c30 (f32x4.add (v128.load (local.get $pc)) (local.get $c30)))
                    (local.set $c31 (f32x4.add (v128.load offset=16 (local.get $pc)) (local.get $c31)))
                    (local.set $pc (i32.add (local.get $c)
                      (i32.add (i32.mul (local.get $i) (local.get $cRow)) (i32.shl (local.get $j) (i32.const 2)))))))
                (v128.store (local.get $pc) (local.get $c00))
                (v128.store offset=16 (local.get $pc) (local.get $c01))
                (local.set $pc (i32.add (local.get $pc) (local.get $cRow)))
                (v128.store (local.get $pc) (local.get $c10))
                (v128.store offset=16 (local.get $pc) (local.get $c11))
                (local.set $pc (i32.add (local.get $pc) (local.get $cRow)))
                (v128.store (local.get $pc) (local.get $c20))
                (v128.store offset=16 (local.get $pc) (local.get $c21))
                (local.set $pc (i32.add (local.get $pc) (local.get $cRow)))
                (v128.store (local.get $pc) (local.get $c30))
                (v128.store offset=16 (local.get $pc) (local.get $c31))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $iloop)))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $jloop)))
        (local.set $i0 (local.get $iEnd))
        (br $tloop))))

  ;; gemv: y[n] = x[k]·W[k, n] + bias[n] for one row x (W row-major, leading dimension ldw).
  ;; Requires n % 4 == 0. W is streamed once, four rows at a time; y stays in cache.
  (func (export "gemv")
    (param $x i32) (param $w i32) (param $y i32) (param $bias i32)
    (param $n i32) (param $k i32) (param $ldw i32)
    (local $j i32) (local $end i32) (local $kk i32) (local $row i32) (local $p i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $row (i32.shl (local.get $ldw) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $bdone
      (loop $bloop
        (br_if $bdone (i32.ge_u (local.get $j) (local.get $end)))
        (v128.store (i32.add (local.get $y) (local.get $j))
          (v128.load (i32.add (local.get $bias) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $bloop)))
    (local.set $kk (i32.const 0))
    (block $k4done
      (loop $k4loop
        (br_if $k4done (i32.gt_u (i32.add (local.get $kk) (i32.const 4)) (local.get $k)))
        (local.set $p (i32.add (local.get $x) (i32.shl (local.get $kk) (i32.const 2))))
        (local.set $s0 (f32x4.splat (f32.load (local.get $p))))
        (local.set $s1 (f32x4.splat (f32.load offset=4 (local.get $p))))
        (local.set $s2 (f32x4.splat (f32.load offset=8 (local.get $p))))
        (local.set $s3 (f32x4.splat (f32.load offset=12 (local.get $p))))
        (local.set $p (i32.add (local.get $w) (i32.mul (local.get $kk) (local.get $row))))
        (local.set $j (i32.const 0))
        (block $jdone
          (loop $jloop
            (br_if $jdone (i32.ge_u (local.get $j) (local.get $end)))
            (v128.store (i32.add (local.get $y) (local.get $j))
              (f32x4.add (v128.load (i32.add (local.get $y) (local.get $j)))
                (f32x4.add
                  (f32x4.add
                    (f32x4.mul (local.get $s0) (v128.load (i32.add (local.get $p) (local.get $j))))
                    (f32x4.mul (local.get $s1)
                      (v128.load (i32.add (i32.add (local.get $p) (local.get $row)) (local.get $j)))))
                  (f32x4.add
                    (f32x4.mul (local.get $s2)
                      (v128.load (i32.add (i32.add (local.get $p) (i32.shl (local.get $row) (i32.const 1)))
                        (local.get $j))))
                    (f32x4.mul (local.get $s3)
                      (v128.load (i32.add (i32.add (local.get $p) (i32.mul (local.get $row) (i32.const 3)))
                        (local.get $j))))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $jloop)))
        (local.set $kk (i32.add (local.get $kk) (i32.const 4)))
        (br $k4loop)))
    (block $kdone
      (loop $kloop
        (br_if $kdone (i32.ge_u (local.get $kk) (local.get $k)))
        (local.set $s0 (f32x4.splat (f32.load (i32.add (local.get $x) (i32.shl (local.get $kk) (i32.const 2))))))
        (local.set $p (i32.add (local.get $w) (i32.mul (local.get $kk) (local.get $row))))
        (local.set $j (i32.const 0))
        (block $j1done
          (loop $j1loop
            (br_if $j1done (i32.ge_u (local.get $j) (local.get $end)))
            (v128.store (i32.add (local.get $y) (local.get $j))
              (f32x4.add (v128.load (i32.add (local.get $y) (local.get $j)))
                (f32x4.mul (local.get $s0) (v128.load (i32.add (local.get $p) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $j1loop)))
        (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
        (br $kloop))))
  ;; e^z for z ≤ 0 per lane (z clamped to ≥ -87): 2^k·p(r), k = round(z·log2 e), r = z - k·ln 2,
  ;; p the degree-6 Taylor polynomial (relative error < 2e-7), as in simd-kernels.wat's GELU.
  (func $exp (param $z v128) (result v128)
    (local $k v128) (local $r v128) (local $p v128) (local $one v128)
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $z (f32x4.pmax (local.get $z) (f32x4.splat (f32.const -87))))
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
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (local.get $k) (i32x4.splat (i32.const 127))) (i32.const 23))))

  ;; softmax: each of `rows` rows of t floats (t % 4 == 0) becomes softmax(x + bias) in place,
  ;; bias[t] shared by all rows (attention key mask): e = exp(x + bias - max), x = e / Σe.
  (func (export "softmax") (param $x i32) (param $bias i32) (param $rows i32) (param $t i32)
    (local $r i32) (local $j i32) (local $end i32) (local $p i32)
    (local $v v128) (local $acc v128) (local $m f32) (local $vm v128)
    (local.set $end (i32.shl (local.get $t) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $p (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $end))))
        (local.set $acc (f32x4.splat (f32.const -inf)))
        (local.set $j (i32.const 0))
        (block $d1
          (loop $l1
            (br_if $d1 (i32.ge_u (local.get $j) (local.get $end)))
            (local.set $v (f32x4.add (v128.load (i32.add (local.get $p) (local.get $j)))
              (v128.load (i32.add (local.get $bias) (local.get $j)))))
            (v128.store (i32.add (local.get $p) (local.get $j)) (local.get $v))
            (local.set $acc (f32x4.pmax (local.get $acc) (local.get $v)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $l1)))
        (local.set $m (f32.max
          (f32.max (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
          (f32.max (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))
        (local.set $vm (f32x4.splat (local.get $m)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $d2
          (loop $l2
            (br_if $d2 (i32.ge_u (local.get $j) (local.get $end)))
            (local.set $v (call $exp (f32x4.sub (v128.load (i32.add (local.get $p) (local.get $j)))
              (local.get $vm))))
            (v128.store (i32.add (local.get $p) (local.get $j)) (local.get $v))
            (local.set $acc (f32x4.add (local.get $acc) (local.get $v)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $l2)))
        (local.set $vm (f32x4.splat (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc))))))
        (local.set $j (i32.const 0))
        (block $d3
          (loop $l3
            (br_if $d3 (i32.ge_u (local.get $j) (local.get $end)))
            (v128.store (i32.add (local.get $p) (local.get $j))
              (f32x4.div (v128.load (i32.add (local.get $p) (local.get $j))) (local.get $vm)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $l3)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rloop))))

  ;; gelu: x = x·σ(x·(c1 + c2·x²)) in place over n floats (n % 4 == 0); forward only.
  (func (export "gelu") (param $x i32) (param $n i32) (param $c1 f32) (param $c2 f32)
    (local $i i32) (local $end i32) (local $xv v128) (local $u v128) (local $e v128) (local $one v128)
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $i (local.get $x))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $xv (v128.load (local.get $i)))
        (local.set $u (f32x4.mul (local.get $xv)
          (f32x4.add (f32x4.mul (f32x4.mul (local.get $xv) (local.get $xv)) (f32x4.splat (local.get $c2)))
            (f32x4.splat (local.get $c1)))))
        ;; σ(u) = 1/(1 + e^-u); e^-|u| keeps the exponent ≤ 0: σ(u) = 1/(1+e) for u ≥ 0, e/(1+e) below.
        (local.set $e (call $exp (f32x4.neg (f32x4.abs (local.get $u)))))
        (v128.store (local.get $i) (f32x4.mul (local.get $xv)
          (f32x4.div
            (v128.bitselect (local.get $one) (local.get $e) (f32x4.ge (local.get $u) (f32x4.splat (f32.const 0))))
            (f32x4.add (local.get $one) (local.get $e)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $loop))))

  ;; transpose: dst[j·ldd + i] = src[i·lds + j] for i < rows, j < cols (leading dimensions in floats).
  (func (export "transpose") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (param $lds i32) (param $ldd i32)
    (local $i i32) (local $j i32) (local $ps i32) (local $pd i32) (local $dRow i32)
    (local.set $dRow (i32.shl (local.get $ldd) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $idone
      (loop $iloop
        (br_if $idone (i32.ge_u (local.get $i) (local.get $rows)))
        (local.set $ps (i32.add (local.get $src)
          (i32.shl (i32.mul (local.get $i) (local.get $lds)) (i32.const 2))))
        (local.set $pd (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $jdone
          (loop $jloop
            (br_if $jdone (i32.ge_u (local.get $j) (local.get $cols)))
            (f32.store (local.get $pd) (f32.load (local.get $ps)))
            (local.set $ps (i32.add (local.get $ps) (i32.const 4)))
            (local.set $pd (i32.add (local.get $pd) (local.get $dRow)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $jloop)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $iloop))))
)
