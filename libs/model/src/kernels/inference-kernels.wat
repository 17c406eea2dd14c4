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
)
