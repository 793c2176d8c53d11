// The device's check of signed messages: controller key present, signature valid for the topic, not replayed.
import type { KeyObject } from 'node:crypto';
import { HasnError } from '../../core/errors.ts';
import type { AuthEnvelope } from '../contract/auth.ts';
import { hasValidSignature, ReplayGuard } from '../contract/signing.ts';

export class MessageAuthenticator {
  private readonly replay: ReplayGuard;

  constructor(
    private readonly publicKey: KeyObject | undefined,
    now: () => number,
  ) {
    this.replay = new ReplayGuard({ now });
  }

  /**
   * Throws unless `raw` (the JSON as received) is signed by the controller for `topic`. With `fresh`, also
   * unless it is unexpired and its nonce unseen (commands, deployments); desired configs rely on versions.
   */
  check(topic: string, raw: unknown, auth: AuthEnvelope | undefined, fresh: boolean): void {
    if (this.publicKey === undefined) {
      throw new HasnError('E_SIGNATURE_KEY_MISSING', 'no controller public key is provisioned on this device (mqtt.controller_public_key_file); signed messages are refused', { path: 'signature' });
    }
    if (auth === undefined || typeof (raw as { signature?: unknown }).signature !== 'string') {
      throw new HasnError('E_SIGNATURE_MISSING', 'this message changes state and must be signed by the controller', { path: 'signature' });
    }
    if (!hasValidSignature(topic, raw, this.publicKey)) {
      throw new HasnError('E_SIGNATURE_INVALID', 'the signature does not verify with the controller key for this topic', { path: 'signature' });
    }
    if (fresh) this.replay.admit(auth);
  }
}
