// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IUniswapV2PairFlash {
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;
    function token0() external view returns (address);
    function token1() external view returns (address);
}

interface IERC20Transfer {
    function transfer(address to, uint256 amount) external returns (bool);
}

/// A hostile flash-swap borrower: takes tokens out of a pair with a callback and pays back only
/// `repayBps` of them (10_000 = the amount borrowed, without Uniswap's 0.3% fee).
contract FlashBorrower {
    uint256 private _repayBps;

    function borrow(address pair, uint256 amount0Out, uint256 amount1Out, uint256 repayBps) external {
        _repayBps = repayBps;
        IUniswapV2PairFlash(pair).swap(amount0Out, amount1Out, address(this), hex"01");
    }

    function uniswapV2Call(address, uint256 amount0, uint256 amount1, bytes calldata) external {
        IUniswapV2PairFlash pair = IUniswapV2PairFlash(msg.sender);
        if (amount0 > 0) IERC20Transfer(pair.token0()).transfer(msg.sender, (amount0 * _repayBps) / 10_000);
        if (amount1 > 0) IERC20Transfer(pair.token1()).transfer(msg.sender, (amount1 * _repayBps) / 10_000);
    }
}
