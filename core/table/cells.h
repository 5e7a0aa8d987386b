#pragma once

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <type_traits>
#include <vector>

namespace webthreat {

// A column's cells: std::vector's interface, and one more state, *uniform*, in which every row
// holds the same value and a single cell is stored (makeUniformIfSo). A log's columns that are
// never filled (a conn.log has no response code, no country, ...) or hold one value throughout
// then cost nothing per row.
//
// Reading is the same code in both states: the const operator[] reads m_cells[row & m_mask], the
// mask all ones when the cells are stored and 0 when uniform (no branch). Everything that can
// write (non-const operator[], back(), data(), begin(), end(), insert, ...) stores every cell
// first, so a write never changes more than its row. There is no const data(): a uniform column
// has no array of its cells to point to. Code that wants a pointer-like reader takes view(),
// which reads through the same mask; const begin()/end() are iterators that do the same.
//
// Threads: a non-const read is a write (it may store a uniform column's cells). Code that reads a
// table shared between threads reads it through a const reference (core's parallel stages take
// const TrafficTable& / const Column&); reading it through a non-const one from two threads races.
template <typename T>
class Cells {
    static_assert(std::is_trivially_copyable_v<T>);

public:
    using value_type = T;
    using size_type = std::size_t;
    using difference_type = std::ptrdiff_t;
    using reference = T&;
    using const_reference = const T&;
    using iterator = T*;

    // What const begin()/end() return: a random-access iterator reading through the mask.
    class const_iterator {
    public:
        using iterator_category = std::random_access_iterator_tag;
        using iterator_concept = std::random_access_iterator_tag;
        using value_type = T;
        using difference_type = std::ptrdiff_t;
        using pointer = const T*;
        using reference = const T&;

        const_iterator() = default;
        const_iterator(const T* cells, std::size_t mask, std::size_t row) noexcept
            : m_cells(cells)
            , m_mask(mask)
            , m_row(row)
        {
        }
        const T& operator*() const noexcept { return m_cells[m_row & m_mask]; }
        const T* operator->() const noexcept { return &m_cells[m_row & m_mask]; }
        const T& operator[](difference_type n) const noexcept { return m_cells[(m_row + n) & m_mask]; }
        const_iterator& operator++() noexcept { ++m_row; return *this; }
        const_iterator operator++(int) noexcept { auto before = *this; ++m_row; return before; }
        const_iterator& operator--() noexcept { --m_row; return *this; }
        const_iterator operator--(int) noexcept { auto before = *this; --m_row; return before; }
        const_iterator& operator+=(difference_type n) noexcept { m_row += n; return *this; }
        const_iterator& operator-=(difference_type n) noexcept { m_row -= n; return *this; }
        friend const_iterator operator+(const_iterator it, difference_type n) noexcept { return it += n; }
        friend const_iterator operator+(difference_type n, const_iterator it) noexcept { return it += n; }
        friend const_iterator operator-(const_iterator it, difference_type n) noexcept { return it -= n; }
        friend difference_type operator-(const const_iterator& a, const const_iterator& b) noexcept
        {
            return static_cast<difference_type>(a.m_row) - static_cast<difference_type>(b.m_row);
        }
        friend bool operator==(const const_iterator& a, const const_iterator& b) noexcept { return a.m_row == b.m_row; }
        friend auto operator<=>(const const_iterator& a, const const_iterator& b) noexcept { return a.m_row <=> b.m_row; }

    private:
        const T* m_cells = nullptr;
        std::size_t m_mask = ~std::size_t{0};
        std::size_t m_row = 0;
    };

    // A cheap reader of the cells (a pointer, the mask and the row count), for code that kept a
    // pointer to a column's first cell. Valid while the column is not changed.
    class View {
    public:
        View() = default;
        View(const T* cells, std::size_t mask, std::size_t rows) noexcept
            : m_cells(cells)
            , m_mask(mask)
            , m_rows(rows)
        {
        }
        // Every value of a vector (for code that reads columns and plain vectors alike).
        View(const std::vector<T>& values) noexcept
            : m_cells(values.data())
            , m_rows(values.size())
        {
        }
        const T& operator[](std::size_t row) const noexcept { return m_cells[row & m_mask]; }
        std::size_t size() const noexcept { return m_rows; }
        bool empty() const noexcept { return m_rows == 0; }
        bool isUniform() const noexcept { return m_mask == 0; }
        const_iterator begin() const noexcept { return {m_cells, m_mask, 0}; }
        const_iterator end() const noexcept { return {m_cells, m_mask, m_rows}; }
        // The rows [first, first + count) as a view of their own.
        View sub(std::size_t first, std::size_t count) const noexcept
        {
            return {m_mask == 0 ? m_cells : m_cells + first, m_mask, count};
        }

    private:
        const T* m_cells = nullptr;
        std::size_t m_mask = ~std::size_t{0};
        std::size_t m_rows = 0;
    };

    Cells() = default;
    Cells(std::initializer_list<T> values)
        : m_cells(values)
    {
    }
    explicit Cells(std::vector<T> values) noexcept
        : m_cells(std::move(values))
    {
    }
    Cells(std::size_t rows, const T& value)
        : m_cells(rows, value)
    {
    }
    template <typename It, typename = std::enable_if_t<!std::is_integral_v<It>>>
    Cells(It first, It last)
        : m_cells(first, last)
    {
    }
    Cells& operator=(std::vector<T> values) noexcept
    {
        m_cells = std::move(values);
        m_mask = kStored;
        m_rows = 0;
        return *this;
    }
    Cells& operator=(std::initializer_list<T> values)
    {
        return *this = std::vector<T>(values);
    }

    // One value in every row, a single cell stored.
    static Cells uniform(std::size_t rows, const T& value)
    {
        Cells cells;
        cells.m_cells.assign(1, value);
        cells.m_mask = 0;
        cells.m_rows = rows;
        return cells;
    }
    // No rows, uniform: the first value pushed becomes every row's, and the cells are stored at
    // the first row that differs. For a reader's columns, most of which are filled row by row.
    static Cells uniformWhileSame()
    {
        return uniform(0, T());
    }

    std::size_t size() const noexcept { return m_mask != 0 ? m_cells.size() : m_rows; }
    bool empty() const noexcept { return size() == 0; }
    bool isUniform() const noexcept { return m_mask == 0; }

    const T& operator[](std::size_t row) const noexcept { return m_cells[row & m_mask]; }
    const T& front() const noexcept { return m_cells[0]; }
    const T& back() const noexcept { return (*this)[size() - 1]; }
    View view() const noexcept { return {m_cells.data(), m_mask, size()}; }
    operator View() const noexcept { return view(); }
    const_iterator begin() const noexcept { return {m_cells.data(), m_mask, 0}; }
    const_iterator end() const noexcept { return {m_cells.data(), m_mask, size()}; }
    const_iterator cbegin() const noexcept { return begin(); }
    const_iterator cend() const noexcept { return end(); }

    // Writing: the cells are stored first when uniform.
    T& operator[](std::size_t row)
    {
        store();
        return m_cells[row];
    }
    T& front() { store(); return m_cells.front(); }
    T& back() { store(); return m_cells.back(); }
    T* data() { store(); return m_cells.data(); }
    iterator begin() { store(); return m_cells.data(); }
    iterator end() { store(); return m_cells.data() + m_cells.size(); }

    void push_back(const T& value)
    {
        if (m_mask == 0) [[unlikely]] {
            if (m_rows == 0)
                m_cells[0] = value;
            if (same(value, m_cells[0])) {
                ++m_rows;
                return;
            }
            store();
        }
        m_cells.push_back(value);
    }
    // Sets the last row's value (there must be one); a uniform column stays uniform when the value
    // is its value or it has a single row.
    void setLast(const T& value)
    {
        if (m_mask == 0) [[unlikely]] {
            if (m_rows == 1 || same(value, m_cells[0])) {
                m_cells[0] = value;
                return;
            }
            store();
        }
        m_cells.back() = value;
    }
    template <typename... Args>
    void emplace_back(Args&&... args)
    {
        push_back(T(std::forward<Args>(args)...));
    }
    void pop_back()
    {
        if (m_mask == 0)
            --m_rows;
        else
            m_cells.pop_back();
    }
    template <typename It>
    iterator insert(iterator position, It first, It last)
    {
        store();
        // Pointer arithmetic, not &*: the iterator returned is end() when nothing is inserted at
        // the end, and the vector may be empty (no array at all).
        const auto at = m_cells.insert(m_cells.begin() + (position - m_cells.data()), first, last);
        return m_cells.data() + (at - m_cells.begin());
    }
    iterator insert(iterator position, std::size_t count, const T& value)
    {
        store();
        const auto at = m_cells.insert(m_cells.begin() + (position - m_cells.data()), count, value);
        return m_cells.data() + (at - m_cells.begin());
    }
    // Appends the other cells, keeping both uniform when they hold the same value.
    void append(const Cells& other)
    {
        if (other.empty())
            return;
        if (m_mask == 0 && other.m_mask == 0 && (m_rows == 0 || same(m_cells[0], other.m_cells[0]))) {
            m_cells[0] = other.m_cells[0];
            m_rows += other.m_rows;
            return;
        }
        store();
        if (other.m_mask == 0)
            m_cells.insert(m_cells.end(), other.m_rows, other.m_cells[0]);
        else
            m_cells.insert(m_cells.end(), other.m_cells.begin(), other.m_cells.end());
    }
    void assign(std::size_t rows, const T& value)
    {
        m_cells.assign(rows, value);
        m_mask = kStored;
        m_rows = 0;
    }
    template <typename It, typename = std::enable_if_t<!std::is_integral_v<It>>>
    void assign(It first, It last)
    {
        m_cells.assign(first, last);
        m_mask = kStored;
        m_rows = 0;
    }
    // New rows hold value; a uniform column stays uniform when value is its value.
    void resize(std::size_t rows, const T& value = T())
    {
        if (m_mask == 0) {
            if (m_rows == 0)
                m_cells[0] = value;
            if (rows <= m_rows || same(value, m_cells[0])) {
                m_rows = rows;
                return;
            }
            store();
        }
        m_cells.resize(rows, value);
    }
    // A uniform column reserves nothing, but remembers the room asked for when it stores its cells.
    void reserve(std::size_t rows)
    {
        if (m_mask != 0)
            m_cells.reserve(rows);
        else
            m_reserved = rows;
    }
    void clear() noexcept
    {
        m_cells.clear();
        m_mask = kStored;
        m_rows = 0;
    }
    void shrink_to_fit() { m_cells.shrink_to_fit(); }
    // Cells held in memory (1 when uniform).
    std::size_t capacity() const noexcept { return m_cells.capacity(); }
    void swap(Cells& other) noexcept
    {
        m_cells.swap(other.m_cells);
        std::swap(m_mask, other.m_mask);
        std::swap(m_rows, other.m_rows);
        std::swap(m_reserved, other.m_reserved);
    }
    // Frees every cell; the column is empty after.
    void release() noexcept
    {
        std::vector<T>().swap(m_cells);
        m_mask = kStored;
        m_rows = 0;
        m_reserved = 0;
    }

    // Keeps only the given rows (ascending), in place.
    template <typename Rows>
    void keepRows(const Rows& ascendingRows)
    {
        if (m_mask == 0) {
            m_rows = ascendingRows.size();
            return;
        }
        std::size_t to = 0;
        for (const auto row : ascendingRows)
            m_cells[to++] = m_cells[row];
        m_cells.resize(to);
    }

    // Holds a single cell when every row holds the same value (bit for bit, so NaN counts as one
    // value); returns whether the cells are uniform now. A column of no rows is left as it is.
    bool makeUniformIfSo()
    {
        if (m_mask == 0)
            return true;
        if (m_cells.empty())
            return false;
        const T first = m_cells[0];
        for (const T& value : m_cells) {
            if (!same(value, first))
                return false;
        }
        m_rows = m_cells.size();
        std::vector<T>(1, first).swap(m_cells);
        m_mask = 0;
        return true;
    }
    // Stores every cell (a no-op unless uniform).
    void store()
    {
        if (m_mask != 0) [[likely]]
            return;
        std::vector<T> cells;
        cells.reserve(std::max(m_reserved, m_rows + 1));
        cells.assign(m_rows, m_cells[0]);
        m_cells.swap(cells);
        m_reserved = 0;
        m_mask = kStored;
        m_rows = 0;
    }

    friend bool operator==(const Cells& a, const Cells& b) noexcept
    {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
    }
    friend bool operator==(const Cells& a, const std::vector<T>& b) noexcept
    {
        return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
    }

private:
    static constexpr std::size_t kStored = ~std::size_t{0};

    static bool same(const T& a, const T& b) noexcept
    {
        return std::memcmp(&a, &b, sizeof(T)) == 0;
    }

    std::vector<T> m_cells;
    std::size_t m_mask = kStored; // all ones: the cells are stored; 0: m_cells[0] is every row's
    std::size_t m_rows = 0; // the row count when uniform
    std::size_t m_reserved = 0; // reserve() asked for while uniform
};

} // namespace webthreat
