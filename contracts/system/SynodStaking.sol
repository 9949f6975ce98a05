// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

library SafeCast192 {
    function from(uint256 value) internal pure returns (uint192) {
        require(value <= type(uint192).max, "SynodStaking: stake beyond 2^192 wei");
        return uint192(value);
    }
}

/// @title Synod staking: who may validate, and with what weight.
/// @notice The chain's staking system contract, at a fixed address in every genesis. Stake is the
/// native currency. Nodes read `validatorsList()` in the state after each epoch's last block and
/// draw the next committee by the weights V_i = S_i * C_i * (1 - L_i / T) (src/stake/weight.ts):
/// S_i is `stake` in whole tokens (wei / 1e18), C_i is `coefficient / COEFFICIENT_SCALE`, L_i is
/// `lock`, the lock the validator chose, in epochs, and T is `maxLock`.
/// The chain's own parameters that decide each committee live here too (the committee size K, T,
/// each C_i, the epoch length, admission and removal), changed only by the validator governance
/// contract (SynodValidatorGovernance); nodes read them with the weights after each epoch's last
/// block, so a change takes effect at the next epoch boundary.
/// @dev Storage is laid out by hand for the genesis, which writes it without running any code
/// (src/node/staking.ts): every field of `Validator` is one slot, `validators` is at slot 0.
contract SynodStaking {
    /// The ed25519 verification precompile (src/execution/precompiles.ts): input publicKey (32) ||
    /// signature (64) || message, output one word, 1 when the signature is valid, else 0.
    address public constant ED25519_VERIFY = address(0xed2);
    uint256 public constant COEFFICIENT_SCALE = 1e6;
    bytes32 public constant POP_DOMAIN = "synod/staking-pop/v1";
    uint256 public constant STATUS_ACTIVE = 1;
    uint256 public constant STATUS_EXITED = 2;
    /// Removed by governance: weighs nothing, votes nothing, may still unstake and withdraw.
    uint256 public constant STATUS_REMOVED = 3;
    /// Registered on a chain whose admission is by governance, and not admitted yet.
    uint256 public constant STATUS_PENDING = 4;
    /// The validator governance contract (src/node/validator-governance.ts VALIDATOR_GOVERNANCE_ADDRESS).
    address public constant GOVERNANCE = address(0x5701);
    /// Bounds on what governance may set (MAX_EPOCH_LENGTH mirrors src/stake/epochs.ts).
    uint256 public constant MIN_EPOCH_LENGTH = 2;
    uint256 public constant MAX_EPOCH_LENGTH = 1_000_000_000;
    uint256 public constant MAX_COEFFICIENT = 1000 * COEFFICIENT_SCALE;
    /// Gas a transfer needs: every member's share of the block gas limit must hold one.
    uint256 public constant MIN_GAS_PER_MEMBER = 21_000;
    /// Most epoch-length changes the chain keeps (every node reads them all).
    uint256 public constant MAX_EPOCH_CHANGES = 1024;
    /// Most validators ever registered (records are kept for good): every epoch's draw reads them all.
    uint256 public constant MAX_VALIDATORS = 1024;

    struct Validator {
        bytes32 id; // operator-chosen name, UTF-8, left-aligned
        bytes32 publicKey; // ed25519 consensus key
        address owner; // the account that staked; only it may add, unstake and withdraw
        uint256 stake; // bonded stake, wei
        uint256 lock; // L_i, the lock chosen, in epochs
        uint256 lockedUntil; // first epoch in which the stake may be unbonded
        uint256 coefficient; // C_i * COEFFICIENT_SCALE
        uint256 unbonding; // wei requested out, not yet withdrawn
        uint256 unbondingEnds; // first epoch in which `unbonding` may be withdrawn
        uint256 status; // STATUS_ACTIVE, STATUS_EXITED (no stake left), STATUS_REMOVED or STATUS_PENDING
        uint256 registeredAt; // block of the registration (0: genesis)
    }

    /// From `firstEpoch` on (starting at block `firstBlock`), epochs are `length` blocks long.
    struct EpochChange {
        uint256 firstEpoch;
        uint256 firstBlock;
        uint256 length;
    }

    /// A value as it stood at the end of block `blockNumber` (one slot: wei fit in 192 bits).
    struct Checkpoint {
        uint64 blockNumber;
        uint192 value;
    }

    Validator[] internal validators; // slot 0
    mapping(bytes32 => uint256) public indexOfKey; // slot 1: public key => index + 1
    mapping(bytes32 => uint256) public indexOfId; // slot 2: id => index + 1
    uint256 public maxLock; // slot 3: T, in epochs
    uint256 public epochLength; // slot 4: blocks per epoch (0: one epoch for ever, locks never end)
    uint256 public minStake; // slot 5: wei
    uint256 public unbondingEpochs; // slot 6
    uint256 public defaultCoefficient; // slot 7: C_i of a new validator, scaled
    uint256 public committeeSize; // slot 8: K, the seats of the next committee drawn
    uint256 public admissionByGovernance; // slot 9: 1 when a registration waits for governance to admit it
    uint256 public totalStake; // slot 10: the stake of every active validator, wei (what votes weigh)
    EpochChange[] internal epochChanges; // slot 11: every change of the epoch length, oldest first
    mapping(uint256 => Checkpoint[]) internal votingStakeHistory; // slot 12: per validator
    Checkpoint[] internal totalStakeHistory; // slot 13

    event Registered(uint256 indexed index, bytes32 indexed id, bytes32 publicKey, address indexed owner, uint256 stake, uint256 lock);
    event StakeAdded(uint256 indexed index, uint256 amount, uint256 stake);
    event UnstakeRequested(uint256 indexed index, uint256 amount, uint256 stake, uint256 unbondingEnds);
    event Withdrawn(uint256 indexed index, address indexed owner, uint256 amount);
    event CommitteeSizeSet(uint256 committeeSize);
    event MaxLockSet(uint256 maxLock);
    event EpochLengthSet(uint256 length, uint256 fromEpoch, uint256 fromBlock);
    event CoefficientSet(uint256 indexed index, uint256 coefficient);
    event ValidatorRemoved(uint256 indexed index);
    event ValidatorAdmitted(uint256 indexed index, uint256 status);

    modifier onlyGovernance() {
        require(msg.sender == GOVERNANCE, "SynodStaking: only the validator governance contract may do this");
        _;
    }

    /// The epoch of block `number` (heights 1..E are epoch 0), under every length change so far.
    function epochOfBlock(uint256 number) public view returns (uint256) {
        if (epochLength == 0 || number == 0) return 0;
        uint256 n = epochChanges.length;
        while (n > 0) {
            EpochChange storage c = epochChanges[n - 1];
            if (number >= c.firstBlock) return c.firstEpoch + (number - c.firstBlock) / c.length;
            n--;
        }
        return (number - 1) / epochLength;
    }

    /// The epoch of the block being executed.
    function currentEpoch() public view returns (uint256) {
        return epochOfBlock(block.number);
    }

    /// The first block of `epoch` and its length, under every length change so far.
    function epochBounds(uint256 epoch) public view returns (uint256 firstBlock, uint256 length) {
        if (epochLength == 0) return (1, 0);
        uint256 n = epochChanges.length;
        while (n > 0) {
            EpochChange storage c = epochChanges[n - 1];
            if (epoch >= c.firstEpoch) return (c.firstBlock + (epoch - c.firstEpoch) * c.length, c.length);
            n--;
        }
        return (epoch * epochLength + 1, epochLength);
    }

    function epochChangeCount() external view returns (uint256) {
        return epochChanges.length;
    }

    function epochChangesList() external view returns (EpochChange[] memory) {
        return epochChanges;
    }

    /// What `index` weighs in a vote whose snapshot is block `number` (its stake then, 0 unless active).
    function votingStakeAt(uint256 index, uint256 number) public view returns (uint256) {
        require(index < validators.length, "SynodStaking: no validator at this index");
        Validator storage v = validators[index];
        if (v.registeredAt > number && v.registeredAt != 0) return 0;
        return valueAt(votingStakeHistory[index], number, votingStake(v));
    }

    /// The stake of every active validator at the end of block `number`.
    function totalStakeAt(uint256 number) public view returns (uint256) {
        return valueAt(totalStakeHistory, number, totalStake);
    }

    function valueAt(Checkpoint[] storage history, uint256 number, uint256 current) internal view returns (uint256) {
        // No checkpoint: unchanged since genesis.
        if (history.length == 0) return current;
        uint256 low = 0;
        uint256 high = history.length;
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (history[mid].blockNumber > number) high = mid;
            else low = mid + 1;
        }
        return low == 0 ? 0 : history[low - 1].value;
    }

    function votingStake(Validator storage v) internal view returns (uint256) {
        return v.status == STATUS_ACTIVE ? v.stake : 0;
    }

    function record(Checkpoint[] storage history, uint256 before, uint256 value, bool fromGenesis) internal {
        if (history.length == 0 && fromGenesis) history.push(Checkpoint({blockNumber: 0, value: uint192(before)}));
        uint256 n = history.length;
        if (n > 0 && history[n - 1].blockNumber == block.number) history[n - 1].value = SafeCast192.from(value);
        else history.push(Checkpoint({blockNumber: uint64(block.number), value: SafeCast192.from(value)}));
    }

    /// Call after changing v's stake or status: keeps its voting stake and the total checkpointed.
    function changed(uint256 index, uint256 before) internal {
        Validator storage v = validators[index];
        uint256 value = votingStake(v);
        if (value == before) return;
        record(votingStakeHistory[index], before, value, v.registeredAt == 0);
        uint256 total = totalStake - before + value;
        if (total != totalStake) {
            record(totalStakeHistory, totalStake, total, true);
            totalStake = total;
        }
    }

    /// The bytes a consensus key signs to prove its owner holds it, for `owner` registering `id`.
    function popMessage(bytes32 id, bytes32 publicKey, address owner) public view returns (bytes memory) {
        return abi.encodePacked(POP_DOMAIN, block.chainid, address(this), owner, id, publicKey);
    }

    function validatorCount() external view returns (uint256) {
        return validators.length;
    }

    function validator(uint256 index) external view returns (Validator memory) {
        require(index < validators.length, "SynodStaking: no validator at this index");
        return validators[index];
    }

    function validatorsList() external view returns (Validator[] memory) {
        return validators;
    }

    /// Registers a validator with its consensus key, staking msg.value for `lock` epochs.
    /// `popSignature` is the key's ed25519 signature over popMessage(id, publicKey, msg.sender).
    function register(bytes32 id, bytes32 publicKey, bytes calldata popSignature, uint256 lock) external payable returns (uint256 index) {
        require(id != bytes32(0), "SynodStaking: the id is empty");
        require(validators.length < MAX_VALIDATORS, "SynodStaking: the validator list is full");
        require(indexOfId[id] == 0, "SynodStaking: the id is taken");
        require(indexOfKey[publicKey] == 0, "SynodStaking: the public key is registered already");
        require(msg.value >= minStake, "SynodStaking: stake below the minimum");
        require(lock <= maxLock, "SynodStaking: lock above the maximum T");
        require(popSignature.length == 64, "SynodStaking: the proof of possession must be a 64-byte ed25519 signature");
        (bool ok, bytes memory out) = ED25519_VERIFY.staticcall(abi.encodePacked(publicKey, popSignature, popMessage(id, publicKey, msg.sender)));
        require(ok && out.length == 32 && abi.decode(out, (uint256)) == 1, "SynodStaking: the proof of possession does not verify for this key");
        index = validators.length;
        validators.push(
            Validator({
                id: id,
                publicKey: publicKey,
                owner: msg.sender,
                stake: msg.value,
                lock: lock,
                lockedUntil: currentEpoch() + lock,
                coefficient: defaultCoefficient,
                unbonding: 0,
                unbondingEnds: 0,
                status: admissionByGovernance == 1 ? STATUS_PENDING : STATUS_ACTIVE,
                registeredAt: block.number
            })
        );
        indexOfKey[publicKey] = index + 1;
        indexOfId[id] = index + 1;
        changed(index, 0);
        emit Registered(index, id, publicKey, msg.sender, msg.value, lock);
    }

    function owned(uint256 index) internal view returns (Validator storage v) {
        require(index < validators.length, "SynodStaking: no validator at this index");
        v = validators[index];
        require(v.owner == msg.sender, "SynodStaking: only the validator's owner may do this");
    }

    /// Adds msg.value to the validator's stake (its owner only).
    function addStake(uint256 index) external payable {
        Validator storage v = owned(index);
        require(msg.value > 0, "SynodStaking: nothing to add");
        require(v.status != STATUS_EXITED || v.stake + msg.value >= minStake, "SynodStaking: stake below the minimum");
        uint256 before = votingStake(v);
        v.stake += msg.value;
        if (v.status == STATUS_EXITED) v.status = STATUS_ACTIVE;
        changed(index, before);
        emit StakeAdded(index, msg.value, v.stake);
    }

    /// Moves `amount` of the stake to unbonding once the lock has ended; it stops counting at once.
    function requestUnstake(uint256 index, uint256 amount) external {
        Validator storage v = owned(index);
        require(currentEpoch() >= v.lockedUntil, "SynodStaking: the stake is locked");
        require(amount > 0 && amount <= v.stake, "SynodStaking: amount must be positive and at most the stake");
        uint256 left = v.stake - amount;
        require(left == 0 || left >= minStake, "SynodStaking: the stake left would be below the minimum: unstake all of it or less");
        uint256 before = votingStake(v);
        v.stake = left;
        v.unbonding += amount;
        v.unbondingEnds = currentEpoch() + unbondingEpochs;
        if (left == 0 && v.status == STATUS_ACTIVE) v.status = STATUS_EXITED;
        changed(index, before);
        emit UnstakeRequested(index, amount, left, v.unbondingEnds);
    }

    /// Pays the unbonded stake to the owner once the unbonding period has passed.
    function withdraw(uint256 index) external {
        Validator storage v = owned(index);
        uint256 amount = v.unbonding;
        require(amount > 0, "SynodStaking: nothing to withdraw");
        require(currentEpoch() >= v.unbondingEnds, "SynodStaking: still unbonding");
        v.unbonding = 0;
        (bool ok, ) = v.owner.call{value: amount}("");
        require(ok, "SynodStaking: the transfer to the owner failed");
        emit Withdrawn(index, v.owner, amount);
    }

    // ---- the chain's parameters, set by the validator governance contract only ----

    // The checks of each value (reverting with the reason), also run when a proposal is made.

    function checkCommitteeSize(uint256 k) public view {
        require(k >= 1 && k <= MAX_VALIDATORS, "SynodStaking: the committee size must be from 1 to MAX_VALIDATORS");
        require(block.gaslimit / k >= MIN_GAS_PER_MEMBER, "SynodStaking: the block gas limit shared by this many members leaves less than a transfer each");
    }

    function checkMaxLock(uint256 t) public pure {
        require(t >= 1, "SynodStaking: T must be at least one epoch");
    }

    function checkEpochLength(uint256 length) public view {
        require(epochLength != 0, "SynodStaking: this chain has no epochs");
        require(length >= MIN_EPOCH_LENGTH && length <= MAX_EPOCH_LENGTH, "SynodStaking: the epoch length must be from MIN_EPOCH_LENGTH to MAX_EPOCH_LENGTH blocks");
    }

    function checkCoefficient(uint256 coefficient) public pure {
        require(coefficient <= MAX_COEFFICIENT, "SynodStaking: the coefficient is above MAX_COEFFICIENT");
    }

    /// K for the committees drawn from the next epoch boundary on. Every member's share of the
    /// block gas limit must still hold a transfer.
    function setCommitteeSize(uint256 k) external onlyGovernance {
        checkCommitteeSize(k);
        committeeSize = k;
        emit CommitteeSizeSet(k);
    }

    /// T, the lock ceiling of the weight formula (a validator locked longer than T weighs 0).
    function setMaxLock(uint256 t) external onlyGovernance {
        checkMaxLock(t);
        maxLock = t;
        emit MaxLockSet(t);
    }

    /// The length of every epoch from the next one on (the current epoch keeps its length).
    function setEpochLength(uint256 length) external onlyGovernance {
        checkEpochLength(length);
        uint256 next = currentEpoch() + 1;
        (uint256 firstBlock, ) = epochBounds(next);
        uint256 n = epochChanges.length;
        if (n > 0 && epochChanges[n - 1].firstEpoch == next) {
            epochChanges[n - 1].length = length; // a change not yet in force is replaced
        } else {
            require(n < MAX_EPOCH_CHANGES, "SynodStaking: no more epoch-length changes may be recorded");
            epochChanges.push(EpochChange({firstEpoch: next, firstBlock: firstBlock, length: length}));
        }
        emit EpochLengthSet(length, next, firstBlock);
    }

    function setCoefficient(uint256 index, uint256 coefficient) external onlyGovernance {
        require(index < validators.length, "SynodStaking: no validator at this index");
        checkCoefficient(coefficient);
        validators[index].coefficient = coefficient;
        emit CoefficientSet(index, coefficient);
    }

    /// Leaves the validator out of every draw and vote from now on; its stake stays its owner's.
    function removeValidator(uint256 index) external onlyGovernance {
        require(index < validators.length, "SynodStaking: no validator at this index");
        Validator storage v = validators[index];
        require(v.status != STATUS_REMOVED, "SynodStaking: the validator is removed already");
        uint256 before = votingStake(v);
        v.status = STATUS_REMOVED;
        changed(index, before);
        emit ValidatorRemoved(index);
    }

    /// Admits a pending registration, or takes back a removed validator.
    function admitValidator(uint256 index) external onlyGovernance {
        require(index < validators.length, "SynodStaking: no validator at this index");
        Validator storage v = validators[index];
        require(v.status == STATUS_REMOVED || v.status == STATUS_PENDING, "SynodStaking: only a pending or removed validator can be admitted");
        v.status = v.stake > 0 ? STATUS_ACTIVE : STATUS_EXITED;
        changed(index, 0);
        emit ValidatorAdmitted(index, v.status);
    }
}
