-- What proved each suppression (signed token, verified bounce and its Message-ID, DMARC pass, owner action): shown to the owner, who may undo it.
ALTER TABLE `suppressions` ADD `evidence` text;
