import { utils } from "ssh2";

/** Attempts before giving up; a bad key comes 1 time in 256, so 8 in a row is ~1 in 10^19. */
const ATTEMPTS = 8;

/**
 * A new ed25519 host key (OpenSSH format) that ssh2 can load.
 *
 * ssh2 1.17's `generateKeyPairSync("ed25519")` strips every leading zero byte of the public
 * key, not only the DER bit string's padding byte, so one key in 256 comes out malformed
 * ("Cannot parse privateKey: Malformed OpenSSH private key" when the server starts). Such a
 * key is thrown away and another made.
 */
export function newHostKey(generate: () => string = () => utils.generateKeyPairSync("ed25519").private): string {
  for (let i = 0; i < ATTEMPTS; i++) {
    const key = generate();
    if (!(utils.parseKey(key) instanceof Error)) return key;
  }
  throw new Error(`could not make an ssh host key ssh2 can parse in ${ATTEMPTS} attempts`);
}
