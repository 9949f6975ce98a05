// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Synod staking: who may validate, and with what weight.
/// @notice The chain's staking system contract, at a fixed address in every genesis. Stake is the
/// native currency. Nodes read `validatorsList()` in the state after each epoch's last block and
/// draw the next committee by the weights V_i = S_i * C_i * (1 - L_i / T) (src/stake/weight.ts):
/// S_i is `stake` in whole tokens (wei / 1e18), C_i is `coefficient / COEFFICIENT_SCALE`, L_i is
/// `lock`, the lock the validator chose, in epochs, and T is `maxLock`.
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
        uint256 status; // STATUS_ACTIVE or STATUS_EXITED (no stake left)
    }

    Validator[] internal validators; // slot 0
    mapping(bytes32 => uint256) public indexOfKey; // slot 1: public key => index + 1
    mapping(bytes32 => uint256) public indexOfId; // slot 2: id => index + 1
    uint256 public maxLock; // slot 3: T, in epochs
    uint256 public epochLength; // slot 4: blocks per epoch (0: one epoch for ever, locks never end)
    uint256 public minStake; // slot 5: wei
    uint256 public unbondingEpochs; // slot 6
    uint256 public defaultCoefficient; // slot 7: C_i of a new validator, scaled

    event Registered(uint256 indexed index, bytes32 indexed id, bytes32 publicKey, address indexed owner, uint256 stake, uint256 lock);
    event StakeAdded(uint256 indexed index, uint256 amount, uint256 stake);
    event UnstakeRequested(uint256 indexed index, uint256 amount, uint256 stake, uint256 unbondingEnds);
    event Withdrawn(uint256 indexed index, address indexed owner, uint256 amount);

    /// The epoch of the block being executed (heights 1..E are epoch 0).
    function currentEpoch() public view returns (uint256) {
        if (epochLength == 0 || block.number == 0) return 0;
        return (block.number - 1) / epochLength;
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
                status: STATUS_ACTIVE
            })
        );
        indexOfKey[publicKey] = index + 1;
        indexOfId[id] = index + 1;
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
        require(v.status == STATUS_ACTIVE || v.stake + msg.value >= minStake, "SynodStaking: stake below the minimum");
        v.stake += msg.value;
        v.status = STATUS_ACTIVE;
        emit StakeAdded(index, msg.value, v.stake);
    }

    /// Moves `amount` of the stake to unbonding once the lock has ended; it stops counting at once.
    function requestUnstake(uint256 index, uint256 amount) external {
        Validator storage v = owned(index);
        require(currentEpoch() >= v.lockedUntil, "SynodStaking: the stake is locked");
        require(amount > 0 && amount <= v.stake, "SynodStaking: amount must be positive and at most the stake");
        uint256 left = v.stake - amount;
        require(left == 0 || left >= minStake, "SynodStaking: the stake left would be below the minimum: unstake all of it or less");
        v.stake = left;
        v.unbonding += amount;
        v.unbondingEnds = currentEpoch() + unbondingEpochs;
        if (left == 0) v.status = STATUS_EXITED;
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
}
