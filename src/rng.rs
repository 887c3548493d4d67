//! A small seeded generator (SplitMix64) so every sampled result is reproducible from its
//! seed, independent of the `rand` versions in the dependency tree.

/// SplitMix64 (Steele, Lea, Flood 2014).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    ///
    /// ```
    /// let mut a = sednas::rng::SplitMix64::new(7);
    /// let mut b = sednas::rng::SplitMix64::new(7);
    /// assert_eq!(a.next_u64(), b.next_u64());
    /// ```
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// Next 64 random bits.
    ///
    /// # Formula
    /// z = (s += 0x9E3779B97F4A7C15); z = (z ^ z>>30)·0xBF58476D1CE4E5B9; z = (z ^ z>>27)·0x94D049BB133111EB; z ^ z>>31
    ///
    /// ```
    /// // the reference SplitMix64 sequence from seed 0 starts 0xE220A8397B1DCDAF
    /// let mut r = sednas::rng::SplitMix64::new(0);
    /// assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform integer in 0..n (n > 0), by rejection (no modulo bias).
    ///
    /// ```
    /// let mut r = sednas::rng::SplitMix64::new(1);
    /// assert!((0..1000).all(|_| r.below(6) < 6));
    /// ```
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }

    /// Uniform float in [0, 1).
    ///
    /// # Formula
    /// u = ⌊x / 2¹¹⌋ / 2⁵³ for the next 64 bits x: a multiple of 2⁻⁵³ in [0, 1).
    ///
    /// ```
    /// let mut r = sednas::rng::SplitMix64::new(0);
    /// assert_eq!(r.unit(), (0xE220_A839_7B1D_CDAFu64 >> 11) as f64 / 9_007_199_254_740_992.0);
    /// ```
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}
