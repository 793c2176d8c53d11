// CRC-16/CCITT-FALSE, the checksum of our binary serial frames.
//
// Parameters (Rocksoft model): width 16, poly 0x1021, init 0xFFFF, refin false, refout false, xorout 0x0000;
// check value crc("123456789") = 0x29B1. Chosen because it is the CRC most microcontroller libraries ship
// (e.g. as "CRC-16/CCITT" in AVR and STM32 HAL examples), so a sensor firmware can produce it without tables.

const TABLE = buildTable();

function buildTable(): Uint16Array {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
}

/** CRC of bytes[start, end); pass a previous result as `crc` to continue over a second span. */
export function crc16CcittFalse(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0xffff): number {
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >>> 8) ^ bytes[i]) & 0xff];
  return crc;
}
