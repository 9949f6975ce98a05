// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @notice Hands a fixed amount of each genesis token to any address, at most once per cooldown per address,
/// so an account that is not one of the genesis accounts can try the protocols. It holds a finite reserve
/// (given at genesis) and mints nothing: when a token runs out, claims fail with FaucetEmpty.
contract TokenFaucet {
    using SafeERC20 for IERC20;

    IERC20[] private _tokens;
    uint256[] private _amounts;
    uint256 public immutable cooldownSeconds;
    mapping(address => uint256) public lastClaimAt;

    error ClaimTooSoon(address recipient, uint256 nextClaimAt);
    error FaucetEmpty(address token, uint256 left, uint256 wanted);
    error LengthMismatch();

    event Claimed(address indexed recipient);

    constructor(IERC20[] memory tokens_, uint256[] memory amounts_, uint256 cooldownSeconds_) {
        if (tokens_.length != amounts_.length) revert LengthMismatch();
        _tokens = tokens_;
        _amounts = amounts_;
        cooldownSeconds = cooldownSeconds_;
    }

    /// @notice The tokens handed out and the amount of each per claim (in the token's smallest unit).
    function drips() external view returns (IERC20[] memory tokens, uint256[] memory amounts) {
        return (_tokens, _amounts);
    }

    /// @notice Sends one drip of every token to `recipient`.
    function claim(address recipient) external {
        uint256 last = lastClaimAt[recipient];
        if (last != 0 && block.timestamp < last + cooldownSeconds) revert ClaimTooSoon(recipient, last + cooldownSeconds);
        lastClaimAt[recipient] = block.timestamp;
        for (uint256 i = 0; i < _tokens.length; i++) {
            uint256 left = _tokens[i].balanceOf(address(this));
            if (left < _amounts[i]) revert FaucetEmpty(address(_tokens[i]), left, _amounts[i]);
            _tokens[i].safeTransfer(recipient, _amounts[i]);
        }
        emit Claimed(recipient);
    }
}
