// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface ISynodStaking {
    struct Validator {
        bytes32 id;
        bytes32 publicKey;
        address owner;
        uint256 stake;
        uint256 lock;
        uint256 lockedUntil;
        uint256 coefficient;
        uint256 unbonding;
        uint256 unbondingEnds;
        uint256 status;
        uint256 registeredAt;
    }

    function validatorCount() external view returns (uint256);
    function validator(uint256 index) external view returns (Validator memory);
    function votingStakeAt(uint256 index, uint256 number) external view returns (uint256);
    function totalStakeAt(uint256 number) external view returns (uint256);
    function checkCommitteeSize(uint256 k) external view;
    function checkMaxLock(uint256 t) external view;
    function checkEpochLength(uint256 length) external view;
    function checkCoefficient(uint256 coefficient) external view;
    function setCommitteeSize(uint256 k) external;
    function setMaxLock(uint256 t) external;
    function setEpochLength(uint256 length) external;
    function setCoefficient(uint256 index, uint256 coefficient) external;
    function removeValidator(uint256 index) external;
    function admitValidator(uint256 index) external;
}

/// @title Synod validator governance: the chain's own parameters, decided by stake.
/// @notice Validators' owners propose and vote on K (the committee size), T (the lock ceiling),
/// a validator's coefficient C_i, the epoch length E, and the admission or removal of a
/// validator. A vote weighs the validator's stake at the block before the proposal (so stake
/// moved after it cannot vote twice); a proposal passes once its yes votes hold more than half
/// of all active stake at that block, before its deadline. Anyone may then execute it; the
/// staking contract holds the new value and nodes read it after each epoch's last block, so it
/// takes effect at the next epoch boundary.
/// @dev Storage is laid out by hand for the genesis (src/node/validator-governance.ts).
contract SynodValidatorGovernance {
    ISynodStaking public constant STAKING = ISynodStaking(address(0x5700));
    uint256 public constant STATUS_ACTIVE = 1;

    uint256 public constant KIND_COMMITTEE_SIZE = 1;
    uint256 public constant KIND_MAX_LOCK = 2;
    uint256 public constant KIND_EPOCH_LENGTH = 3;
    uint256 public constant KIND_COEFFICIENT = 4;
    uint256 public constant KIND_REMOVE_VALIDATOR = 5;
    uint256 public constant KIND_ADMIT_VALIDATOR = 6;

    uint256 public constant STATE_ACTIVE = 0; // open for votes
    uint256 public constant STATE_PASSED = 1; // a majority of stake voted yes: may be executed
    uint256 public constant STATE_EXECUTED = 2;
    uint256 public constant STATE_DEFEATED = 3; // the deadline passed without a majority

    uint256 public constant VOTE_YES = 1;
    uint256 public constant VOTE_NO = 2;
    /// Longest description a proposal carries (it is only in the event).
    uint256 public constant MAX_DESCRIPTION_BYTES = 1024;

    struct Proposal {
        uint256 kind;
        uint256 target; // the validator index (KIND_COEFFICIENT, KIND_REMOVE_VALIDATOR, KIND_ADMIT_VALIDATOR)
        uint256 value; // the new K, T, E or C_i (scaled by COEFFICIENT_SCALE)
        uint256 proposer; // the validator index that proposed
        uint256 snapshot; // votes weigh the stake at the end of this block
        uint256 deadline; // last block in which a vote counts
        uint256 yes; // wei of stake
        uint256 no;
        uint256 total; // active stake at the snapshot
        uint256 executedAt; // block of execution, 0 before
    }

    Proposal[] internal proposals; // slot 0
    uint256 public votingPeriod; // slot 1: blocks a proposal stays open
    mapping(uint256 => mapping(uint256 => uint256)) public voteOf; // slot 2: proposal => validator index => VOTE_*

    event ProposalCreated(uint256 indexed id, uint256 indexed proposer, uint256 kind, uint256 target, uint256 value, uint256 snapshot, uint256 deadline, string description);
    event VoteCast(uint256 indexed id, uint256 indexed validatorIndex, address indexed voter, bool support, uint256 weight);
    event ProposalExecuted(uint256 indexed id, uint256 kind, uint256 target, uint256 value);

    function proposalCount() external view returns (uint256) {
        return proposals.length;
    }

    function proposal(uint256 id) public view returns (Proposal memory) {
        require(id < proposals.length, "SynodValidatorGovernance: no proposal with this id");
        return proposals[id];
    }

    function state(uint256 id) public view returns (uint256) {
        require(id < proposals.length, "SynodValidatorGovernance: no proposal with this id");
        Proposal storage p = proposals[id];
        if (p.executedAt != 0) return STATE_EXECUTED;
        if (p.yes * 2 > p.total) return STATE_PASSED;
        if (block.number > p.deadline) return STATE_DEFEATED;
        return STATE_ACTIVE;
    }

    function ownedActive(uint256 validatorIndex) internal view returns (ISynodStaking.Validator memory v) {
        require(validatorIndex < STAKING.validatorCount(), "SynodValidatorGovernance: no validator at this index");
        v = STAKING.validator(validatorIndex);
        require(v.owner == msg.sender, "SynodValidatorGovernance: only the validator's owner may act for it");
    }

    /// Opens a proposal for validator `validatorIndex` (its owner only; it must hold active stake).
    function propose(uint256 validatorIndex, uint256 kind, uint256 target, uint256 value, string calldata description) external returns (uint256 id) {
        ISynodStaking.Validator memory v = ownedActive(validatorIndex);
        require(v.status == STATUS_ACTIVE && v.stake > 0, "SynodValidatorGovernance: only an active validator with stake may propose");
        require(kind >= KIND_COMMITTEE_SIZE && kind <= KIND_ADMIT_VALIDATOR, "SynodValidatorGovernance: unknown proposal kind");
        require(bytes(description).length <= MAX_DESCRIPTION_BYTES, "SynodValidatorGovernance: the description is longer than MAX_DESCRIPTION_BYTES");
        if (kind == KIND_COEFFICIENT || kind == KIND_REMOVE_VALIDATOR || kind == KIND_ADMIT_VALIDATOR) {
            require(target < STAKING.validatorCount(), "SynodValidatorGovernance: the target validator does not exist");
        } else {
            require(target == 0, "SynodValidatorGovernance: this kind of proposal has no target: pass 0");
        }
        // The value is checked now as execution will check it: a proposal that passes can be executed.
        if (kind == KIND_COMMITTEE_SIZE) STAKING.checkCommitteeSize(value);
        else if (kind == KIND_MAX_LOCK) STAKING.checkMaxLock(value);
        else if (kind == KIND_EPOCH_LENGTH) STAKING.checkEpochLength(value);
        else if (kind == KIND_COEFFICIENT) STAKING.checkCoefficient(value);
        else require(value == 0, "SynodValidatorGovernance: this kind of proposal has no value: pass 0");
        uint256 snapshot = block.number - 1;
        uint256 total = STAKING.totalStakeAt(snapshot);
        require(total > 0, "SynodValidatorGovernance: no active stake to vote");
        id = proposals.length;
        proposals.push(
            Proposal({kind: kind, target: target, value: value, proposer: validatorIndex, snapshot: snapshot, deadline: block.number + votingPeriod, yes: 0, no: 0, total: total, executedAt: 0})
        );
        emit ProposalCreated(id, validatorIndex, kind, target, value, snapshot, block.number + votingPeriod, description);
    }

    /// Votes for validator `validatorIndex` (its owner only), weighing its stake at the snapshot.
    function vote(uint256 id, uint256 validatorIndex, bool support) external {
        require(id < proposals.length, "SynodValidatorGovernance: no proposal with this id");
        Proposal storage p = proposals[id];
        require(p.executedAt == 0 && p.yes * 2 <= p.total, "SynodValidatorGovernance: the proposal is decided already");
        require(block.number <= p.deadline, "SynodValidatorGovernance: the voting deadline has passed");
        ownedActive(validatorIndex);
        require(voteOf[id][validatorIndex] == 0, "SynodValidatorGovernance: this validator has voted on this proposal already");
        uint256 weight = STAKING.votingStakeAt(validatorIndex, p.snapshot);
        require(weight > 0, "SynodValidatorGovernance: this validator held no active stake at the proposal's snapshot");
        voteOf[id][validatorIndex] = support ? VOTE_YES : VOTE_NO;
        if (support) p.yes += weight;
        else p.no += weight;
        emit VoteCast(id, validatorIndex, msg.sender, support, weight);
    }

    /// Applies a passed proposal (anyone may); it takes effect at the next epoch boundary.
    function execute(uint256 id) external {
        require(id < proposals.length, "SynodValidatorGovernance: no proposal with this id");
        Proposal storage p = proposals[id];
        require(p.executedAt == 0, "SynodValidatorGovernance: the proposal is executed already");
        require(p.yes * 2 > p.total, "SynodValidatorGovernance: the proposal has not passed");
        p.executedAt = block.number;
        uint256 kind = p.kind;
        if (kind == KIND_COMMITTEE_SIZE) STAKING.setCommitteeSize(p.value);
        else if (kind == KIND_MAX_LOCK) STAKING.setMaxLock(p.value);
        else if (kind == KIND_EPOCH_LENGTH) STAKING.setEpochLength(p.value);
        else if (kind == KIND_COEFFICIENT) STAKING.setCoefficient(p.target, p.value);
        else if (kind == KIND_REMOVE_VALIDATOR) STAKING.removeValidator(p.target);
        else STAKING.admitValidator(p.target);
        emit ProposalExecuted(id, kind, p.target, p.value);
    }
}
