// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title Multicall3 interface, predeployed at 0xcA11bde05977b3631167028862bE2a173976CA11
/// @notice Batches read calls (viem's `multicall`, wagmi's `useReadContracts`). Synod's own
///         implementation of the widely used interface; only the functions clients call.
contract Multicall3 {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Call3Value {
        address target;
        bool allowFailure;
        uint256 value;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    function aggregate3(Call3[] calldata calls) public payable returns (Result[] memory results) {
        results = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool success, bytes memory returnData) = calls[i].target.call(calls[i].callData);
            if (!success && !calls[i].allowFailure) revert("Multicall3: call failed");
            results[i] = Result(success, returnData);
        }
    }

    function aggregate3Value(Call3Value[] calldata calls) public payable returns (Result[] memory results) {
        results = new Result[](calls.length);
        uint256 total = 0;
        for (uint256 i = 0; i < calls.length; i++) {
            total += calls[i].value;
            (bool success, bytes memory returnData) = calls[i].target.call{value: calls[i].value}(calls[i].callData);
            if (!success && !calls[i].allowFailure) revert("Multicall3: call failed");
            results[i] = Result(success, returnData);
        }
        require(msg.value == total, "Multicall3: value mismatch");
    }

    function getBlockNumber() public view returns (uint256) {
        return block.number;
    }

    function getCurrentBlockTimestamp() public view returns (uint256) {
        return block.timestamp;
    }

    function getChainId() public view returns (uint256) {
        return block.chainid;
    }

    function getBasefee() public view returns (uint256) {
        return block.basefee;
    }

    function getEthBalance(address addr) public view returns (uint256) {
        return addr.balance;
    }

    function getBlockHash(uint256 blockNumber) public view returns (bytes32) {
        return blockhash(blockNumber);
    }
}
