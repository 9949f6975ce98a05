// SPDX-License-Identifier: MIT
// The contract the compatibility tests deploy with viem and ethers: storage to read back (also
// with eth_getStorageAt and eth_getProof), indexed events to filter by topic, and every kind of
// failure a client must decode: a reason string, a custom error with arguments, and a panic.
pragma solidity ^0.8.24;

contract Counter {
    uint256 public count; // slot 0
    address public owner; // slot 1
    mapping(address => uint256) public credits; // slot 2

    uint256 public constant MAX_STEP = 1000;

    event Incremented(address indexed by, uint256 indexed newCount, uint256 step);
    event Noted(address indexed by, string text);

    error NotOwner(address caller, address owner);
    error StepTooLarge(uint256 step, uint256 max);

    constructor(uint256 start) {
        count = start;
        owner = msg.sender;
    }

    function increment(uint256 step) external returns (uint256) {
        if (step > MAX_STEP) revert StepTooLarge(step, MAX_STEP);
        count += step;
        credits[msg.sender] += step;
        emit Incremented(msg.sender, count, step);
        return count;
    }

    function note(string calldata text) external {
        emit Noted(msg.sender, text);
    }

    function reset() external {
        if (msg.sender != owner) revert NotOwner(msg.sender, owner);
        count = 0;
    }

    /// Increments through an external call to itself (a nested CALL frame), then checks the
    /// result with a pure external call (a STATICCALL frame): a call tree for callTracer.
    function incrementViaSelf(uint256 step) external returns (uint256) {
        uint256 result = this.increment(step);
        require(this.requirePositive(result) == result, "Counter: unreachable");
        return result;
    }

    /// Calls reset() from this contract, which is not the owner, and swallows the revert: a
    /// failed inner frame inside a successful transaction.
    function tryReset() external returns (bool) {
        try this.reset() {
            return true;
        } catch {
            return false;
        }
    }

    function requirePositive(uint256 value) external pure returns (uint256) {
        require(value > 0, "Counter: value must be positive");
        return value;
    }

    function divide(uint256 a, uint256 b) external pure returns (uint256) {
        return a / b; // b == 0 panics with code 0x12
    }
}
