// SPDX-License-Identifier: MIT
// A small payable contract for the Hardhat project: deposits carry value, withdrawals send it
// back, an event per movement, a custom error and a reason string for the two ways to fail.
pragma solidity ^0.8.24;

contract Ledger {
    mapping(address => uint256) public balanceOf;
    uint256 public total;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount);

    error InsufficientBalance(uint256 available, uint256 requested);

    function deposit() external payable {
        require(msg.value > 0, "Ledger: nothing to deposit");
        balanceOf[msg.sender] += msg.value;
        total += msg.value;
        emit Deposited(msg.sender, msg.value);
    }

    function withdraw(uint256 amount) external {
        uint256 available = balanceOf[msg.sender];
        if (amount > available) revert InsufficientBalance(available, amount);
        balanceOf[msg.sender] = available - amount;
        total -= amount;
        emit Withdrawn(msg.sender, amount);
        (bool ok, ) = msg.sender.call{value: amount}("");
        require(ok, "Ledger: transfer failed");
    }
}
