import type { Image } from '@aiplat/api';

/**
 * A catalog row: a saved image (its owner's), or a shared image on the list of the user who
 * redeemed its token (`sharedFrom` names the saved image it points to).
 */
export interface ImageRecord extends Omit<Image, 'history'> {
  sharedFrom?: string;
}

/** A share token of one saved image, kept only as its SHA-256. */
export interface ImageShareRecord {
  id: string;
  imageId: string;
  tokenHash: string;
  createdAt: string;
  expiresAt?: string;
}

export interface ImageStore {
  insert(record: ImageRecord): void;
  get(id: string): ImageRecord | undefined;
  /** The images on one user's list (saved and shared), newest first. */
  list(owner: string): ImageRecord[];
  /** The shared rows that point to a saved image. */
  sharedCopies(imageId: string): ImageRecord[];
  delete(id: string): void;
  insertShare(share: ImageShareRecord): void;
  shareByHash(tokenHash: string): ImageShareRecord | undefined;
  deleteShares(imageId: string): void;
}
