/** Standard gravity, m/s^2. */
export const GRAVITY = 9.80665;
/** Air density at 20 °C, sea level, kg/m^3. */
export const AIR_DENSITY = 1.204;
