/** Public keys made with ssh-keygen for the tests: ed25519 (with a comment), RSA of 1024 bits (too few), ECDSA P-384. */

export const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICU8PPpMfNGV276pAIKdNnxwqf4NeTiJX4X0bnqQ7RO2 alice@laptop';
export const RSA_1024 =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDODyqHraWzjaAdZRf3pixf46RQLQl6ZfSzgrXpn8RUXM3dMhBa5OvZRbi6OnSEWva6G2OmqVBtpEFoFkY5kE3aI1hJrmMckrX44l9S/nEGijzNo1xtMQdEvk2Gn402IkIiawm52NwNKf6lIQRlJYaCA3RoEezwh9p2pHMXxsAxuw== old';
export const ECDSA_384 =
  'ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBPi2C4fWkZfUL8gQ2iifFrk7XnmgJlYN9RTU8qdu0HSQ0r9pJGCzkDlu6EcL/ERb/314e9EETMRWzGOQveoGw8ju1KoLtMeGyGo713ZxM9EjYF3EvvLU55DfQIbqV3M4mw==';
