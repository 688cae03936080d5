# expect: none
# why: Get-AutomationConnection of a custom SQL connection and a custom certificate asset, next to a managed-identity login: nothing is retired.
Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

$sql = Get-AutomationConnection -Name 'ReportingSqlServer'
$apiCert = Get-AutomationCertificate -Name 'InventoryApiClientCert'

$connectionString = "Server=tcp:{0},1433;Database={1};User ID={2};Password={3};Encrypt=True" -f `
    $sql.ServerName, $sql.DatabaseName, $sql.Username, $sql.Password

$vms = Get-AzVM -Status | ForEach-Object {
    [pscustomobject]@{ Name = $_.Name; Group = $_.ResourceGroupName; Power = $_.PowerState }
}

$sqlConnection = New-Object System.Data.SqlClient.SqlConnection $connectionString
$sqlConnection.Open()
foreach ($vm in $vms) {
    $cmd = $sqlConnection.CreateCommand()
    $cmd.CommandText = 'INSERT INTO dbo.VmPower (Name, GroupName, Power) VALUES (@n, @g, @p)'
    [void]$cmd.Parameters.AddWithValue('@n', $vm.Name)
    [void]$cmd.Parameters.AddWithValue('@g', $vm.Group)
    [void]$cmd.Parameters.AddWithValue('@p', $vm.Power)
    [void]$cmd.ExecuteNonQuery()
}
$sqlConnection.Close()

Invoke-RestMethod -Uri 'https://inventory.contoso.example/api/refresh' -Method Post -Certificate $apiCert | Out-Null
