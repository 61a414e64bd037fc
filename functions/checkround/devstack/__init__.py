"""The local stack: the Firestore emulator, one host for every function, the seed round."""
