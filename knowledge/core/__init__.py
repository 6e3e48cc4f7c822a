"""The ground floor: the document model, the error root and the atomic file write that
every other floor stands on."""
