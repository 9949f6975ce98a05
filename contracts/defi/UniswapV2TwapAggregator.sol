// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// Chainlink's AggregatorV3Interface (as Chainlink publishes it), the interface lending markets and
/// front-ends read prices through.
interface AggregatorV3Interface {
    function decimals() external view returns (uint8);
    function description() external view returns (string memory);
    function version() external view returns (uint256);
    function getRoundData(uint80 roundId)
        external
        view
        returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}

interface IUniswapV2PairPrices {
    function token0() external view returns (address);
    function token1() external view returns (address);
    function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);
    function price0CumulativeLast() external view returns (uint256);
    function price1CumulativeLast() external view returns (uint256);
}

interface IERC20Decimals {
    function decimals() external view returns (uint8);
}

/// @notice The time-weighted average price of `asset` in the pair's other token (`quote`, taken as the unit of
/// account), from Uniswap V2's cumulative prices, with 8 decimals, behind Chainlink's AggregatorV3Interface and
/// the `latestAnswer()` that Aave V3's AaveOracle reads.
///
/// A single trade moves a pair's spot price as far as its author pays for; it moves the average over a window
/// of W seconds only in proportion to how long it lasts. Anyone may call `update()`, which records the pair's
/// cumulative price in a ring of OBSERVATIONS slots, at least `spacingSeconds` apart (a call inside the current
/// slot's spacing moves that slot forward instead of filling the ring). A reading averages from the newest
/// observation that is at least W seconds old (the oldest kept one while the chain is younger than W) up to the
/// current block, counting the pair's current reserves for the time since its last trade, as Uniswap's
/// UniswapV2OracleLibrary does. With spacing W/4 the ring keeps more than W seconds of history, so such an
/// observation exists whenever updates keep coming; when they stop, the average just spans a longer time.
/// No owner and no parameters to change: governance replaces a source in AaveOracle instead.
contract UniswapV2TwapAggregator is AggregatorV3Interface {
    uint256 public constant OBSERVATIONS = 8;
    uint8 public constant override decimals = 8;
    uint256 public constant override version = 1;

    IUniswapV2PairPrices public immutable pair;
    address public immutable asset;
    address public immutable quote;
    uint32 public immutable windowSeconds;
    uint32 public immutable spacingSeconds;
    bool private immutable _assetIsToken0;
    /// answer = priceX112 * _scaleNumerator / (_scaleDenominator << 112)
    uint256 private immutable _scaleNumerator;
    uint256 private immutable _scaleDenominator;

    struct Observation {
        uint32 timestamp;
        uint256 priceCumulative;
    }

    Observation[OBSERVATIONS] private _observations;
    /// Observations pushed so far (slots moved forward are not counted); the newest is at (count - 1) % OBSERVATIONS.
    uint64 public observationCount;
    string private _description;

    error EmptyPair(address pair);
    error NotInPair(address pair, address asset);
    error RoundNotKept(uint80 roundId);
    error WindowTooShort();

    event Observed(uint64 indexed round, uint32 timestamp, uint256 priceCumulative);

    constructor(IUniswapV2PairPrices pair_, address asset_, uint32 windowSeconds_, string memory description_) {
        if (windowSeconds_ == 0) revert WindowTooShort();
        address token0 = pair_.token0();
        address token1 = pair_.token1();
        if (asset_ != token0 && asset_ != token1) revert NotInPair(address(pair_), asset_);
        pair = pair_;
        asset = asset_;
        _assetIsToken0 = asset_ == token0;
        quote = _assetIsToken0 ? token1 : token0;
        windowSeconds = windowSeconds_;
        spacingSeconds = windowSeconds_ >= 4 ? windowSeconds_ / 4 : 1;
        _scaleNumerator = 10 ** (uint256(IERC20Decimals(asset_).decimals()) + decimals);
        _scaleDenominator = 10 ** uint256(IERC20Decimals(_assetIsToken0 ? token1 : token0).decimals());
        _description = description_;
        (uint256 cumulative, uint32 timestamp) = _currentCumulative();
        _push(0, timestamp, cumulative);
    }

    function description() external view override returns (string memory) {
        return _description;
    }

    /// @notice Records the pair's cumulative price now (at most one observation per second).
    function update() external {
        (uint256 cumulative, uint32 timestamp) = _currentCumulative();
        uint64 count = observationCount;
        Observation storage newest = _observations[(count - 1) % OBSERVATIONS];
        if (newest.timestamp == timestamp) return;
        if (count > 1) {
            Observation storage previous = _observations[(count - 2) % OBSERVATIONS];
            unchecked {
                if (newest.timestamp - previous.timestamp < spacingSeconds) {
                    newest.timestamp = timestamp;
                    newest.priceCumulative = cumulative;
                    emit Observed(count - 1, timestamp, cumulative);
                    return;
                }
            }
        }
        _push(count, timestamp, cumulative);
    }

    /// @notice The observation kept in round `round` (reverts if the ring has overwritten it).
    function observation(uint64 round) external view returns (uint32 timestamp, uint256 priceCumulative) {
        uint64 count = observationCount;
        if (round >= count || count - round > OBSERVATIONS) revert RoundNotKept(uint80(round));
        Observation storage o = _observations[round % OBSERVATIONS];
        return (o.timestamp, o.priceCumulative);
    }

    function latestRoundData()
        external
        view
        override
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        uint32 since;
        (answer, since) = _average();
        roundId = uint80(observationCount);
        return (roundId, answer, since, block.timestamp, roundId);
    }

    /// @notice Only the latest round is answered: past averages are not stored.
    function getRoundData(uint80 roundId)
        external
        view
        override
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80)
    {
        if (roundId != observationCount) revert RoundNotKept(roundId);
        uint32 since;
        (answer, since) = _average();
        return (roundId, answer, since, block.timestamp, roundId);
    }

    /// @notice The average price with 8 decimals (the call Aave V3's AaveOracle makes).
    function latestAnswer() external view returns (int256 answer) {
        (answer, ) = _average();
    }

    function latestTimestamp() external view returns (uint256) {
        return block.timestamp;
    }

    /// @notice The pair's spot price with 8 decimals (what one trade can move; for comparison only).
    function spotAnswer() external view returns (int256) {
        (uint112 reserve0, uint112 reserve1, ) = pair.getReserves();
        return _scale(_spotX112(reserve0, reserve1));
    }

    function _average() private view returns (int256 answer, uint32 since) {
        (uint256 cumulativeNow, uint32 now_) = _currentCumulative();
        uint64 count = observationCount;
        uint64 kept = count < OBSERVATIONS ? count : uint64(OBSERVATIONS);
        Observation memory chosen;
        for (uint64 i = 0; i < kept; i++) {
            chosen = _observations[(count - 1 - i) % OBSERVATIONS];
            unchecked {
                if (now_ - chosen.timestamp >= windowSeconds) break;
            }
        }
        if (chosen.timestamp == now_) {
            (uint112 reserve0, uint112 reserve1, ) = pair.getReserves();
            return (_scale(_spotX112(reserve0, reserve1)), now_);
        }
        unchecked {
            // Cumulative prices wrap around by design (Uniswap V2): differences stay right modulo 2^256.
            uint256 averageX112 = (cumulativeNow - chosen.priceCumulative) / (now_ - chosen.timestamp);
            return (_scale(averageX112), chosen.timestamp);
        }
    }

    /// The pair's cumulative price of `asset` at this block, as UniswapV2OracleLibrary.currentCumulativePrices.
    function _currentCumulative() private view returns (uint256 cumulative, uint32 timestamp) {
        timestamp = uint32(block.timestamp);
        cumulative = _assetIsToken0 ? pair.price0CumulativeLast() : pair.price1CumulativeLast();
        (uint112 reserve0, uint112 reserve1, uint32 last) = pair.getReserves();
        if (last != timestamp) {
            unchecked {
                cumulative += _spotX112(reserve0, reserve1) * (timestamp - last);
            }
        }
    }

    function _spotX112(uint112 reserve0, uint112 reserve1) private view returns (uint256) {
        if (reserve0 == 0 || reserve1 == 0) revert EmptyPair(address(pair));
        return _assetIsToken0 ? (uint256(reserve1) << 112) / reserve0 : (uint256(reserve0) << 112) / reserve1;
    }

    function _scale(uint256 priceX112) private view returns (int256) {
        return int256(Math.mulDiv(priceX112, _scaleNumerator, _scaleDenominator << 112));
    }

    function _push(uint64 count, uint32 timestamp, uint256 cumulative) private {
        _observations[count % OBSERVATIONS] = Observation(timestamp, cumulative);
        observationCount = count + 1;
        emit Observed(count, timestamp, cumulative);
    }
}
