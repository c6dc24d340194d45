// Prints Java's own text for random floats, doubles, BigDecimals and Timestamps (UTC),
// and writeUTF bytes of random strings, one per line: `D <bits> <text>`,
// `F <bits> <text>`, `B <unscaled hex> <scale> <text>`, `T <millis> <extra nanos> <text>`,
// `U <modified UTF-8 hex> <UTF-8 hex>`. thl_render_java.rs checks replog's
// `thl::java_text` helpers and `JavaStr` against its output (java_text.txt), made with
// JDK 25 by:
//   javac JavaText.java && java -cp . JavaText 3 60 > java_text.txt
import java.math.*; import java.sql.Timestamp; import java.util.*;
public class JavaText {
  public static void main(String[] a) {
    TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
    Random r = new Random(Long.parseLong(a[0])); int n = Integer.parseInt(a[1]);
    double[] sd = {0.0, -0.0, 1.0, 0.1, 0.3, 100.0, 1e7, 9999999.0, 1e-3, 9.99e-4, 1e23, 2e-323, Double.MIN_VALUE, Double.MAX_VALUE, Double.MIN_NORMAL, 123456.789, 1.0E22, 5e-324, 0.5, 2.5e-5,
        Double.longBitsToDouble(0xc31b272386ebd3d5L) /* digit tie, even wins */};
    for (double d : sd) System.out.println("D " + Long.toHexString(Double.doubleToRawLongBits(d)) + " " + Double.toString(d));
    for (int i = 0; i < n; i++) { double d = Double.longBitsToDouble(r.nextLong()); if (Double.isNaN(d)) continue; System.out.println("D " + Long.toHexString(Double.doubleToRawLongBits(d)) + " " + Double.toString(d)); }
    for (int i = 0; i < n; i++) { double d = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(20) - 8); System.out.println("D " + Long.toHexString(Double.doubleToRawLongBits(d)) + " " + Double.toString(d)); }
    float[] sf = {0f, -0f, 1f, 0.1f, 10.55f, 1e10f, Float.MIN_VALUE, Float.MAX_VALUE, 1e7f, 9999999f, 1e-3f, 3.4e-4f,
        Float.intBitsToFloat(0x49a75cb2) /* 1371030.25: digit tie, even wins */};
    for (float f : sf) System.out.println("F " + Integer.toHexString(Float.floatToRawIntBits(f)) + " " + Float.toString(f));
    for (int i = 0; i < n; i++) { float f = Float.intBitsToFloat(r.nextInt()); if (Float.isNaN(f)) continue; System.out.println("F " + Integer.toHexString(Float.floatToRawIntBits(f)) + " " + Float.toString(f)); }
    for (int i = 0; i < n; i++) { float f = (float)((r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(20) - 8)); System.out.println("F " + Integer.toHexString(Float.floatToRawIntBits(f)) + " " + Float.toString(f)); }
    for (int i = 0; i < n; i++) { byte[] b = new byte[1 + r.nextInt(20)]; r.nextBytes(b); int scale = r.nextInt(40) - 10; BigDecimal d = new BigDecimal(new BigInteger(b), scale); StringBuilder h = new StringBuilder(); for (byte x : d.unscaledValue().toByteArray()) h.append(String.format("%02x", x)); System.out.println("B " + h + " " + scale + " " + d.toString()); }
    for (int i = 0; i < n; i++) { long ms = r.nextLong() % 100000000000000L; if (i % 3 == 0) ms = r.nextLong() % 4000000000000L; int extra = r.nextInt(3) == 0 ? 0 : r.nextInt(1000000); Timestamp t = new Timestamp(ms); t.setNanos(t.getNanos() + extra); System.out.println("T " + ms + " " + extra + " " + t.toString()); }
      // Modified UTF-8 (writeUTF, count dropped) and standard UTF-8 of random text.
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder();
      int len = r.nextInt(8);
      for (int k = 0; k < len; k++) {
        int[] starts = {0, 0x20, 0x80, 0x800, 0xE000, 0x10000};
        int[] spans = {0x20, 0x60, 0x780, 0xD000, 0x2000, 0x100000};
        int c = r.nextInt(starts.length);
        sb.appendCodePoint(starts[c] + r.nextInt(spans[c]));
      }
      try {
        java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
        new java.io.DataOutputStream(bo).writeUTF(sb.toString());
        byte[] m = bo.toByteArray();
        StringBuilder mh = new StringBuilder(), uh = new StringBuilder();
        for (int k = 2; k < m.length; k++) mh.append(String.format("%02x", m[k]));
        for (byte b : sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)) uh.append(String.format("%02x", b));
        System.out.println("U " + mh + " " + uh);
      } catch (java.io.IOException e) { throw new RuntimeException(e); }
    }
  }
}
