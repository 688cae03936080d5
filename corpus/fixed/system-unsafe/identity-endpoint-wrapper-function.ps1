# expect: MI201 MI304
# why: Token requested through the runbook's own retrying REST wrapper, called with a splatted table; the wrapper is also used for a webhook post, so it stays while the token call and its tables go.
param(
    [Parameter(Mandatory = $true)]
    [string] $WebhookUrl,
    [int] $Threshold = 10
)

function Invoke-WithRetry {
    param(
        [string] $Uri,
        [hashtable] $Headers = @{},
        [string] $Method = 'GET',
        [string] $Body,
        [int] $Attempts = 3
    )
    for ($attempt = 1; $attempt -le $Attempts; $attempt++) {
        try {
            return Invoke-RestMethod -Uri $Uri -Headers $Headers -Method $Method -Body $Body -ContentType 'application/json'
        } catch {
            if ($attempt -eq $Attempts) { throw }
            Start-Sleep -Seconds (5 * $attempt)
        }
    }
}

Connect-MgGraph -Identity

$low = foreach ($sku in Get-MgSubscribedSku -All) {
    $free = $sku.PrepaidUnits.Enabled - $sku.ConsumedUnits
    if ($free -lt $Threshold) { [pscustomobject]@{ Sku = $sku.SkuPartNumber; Free = $free } }
}
if ($low) {
    $payload = @{ text = ($low | ForEach-Object { "$($_.Sku): $($_.Free) left" }) -join "`n" } | ConvertTo-Json
    Invoke-WithRetry -Uri $WebhookUrl -Method 'POST' -Body $payload | Out-Null
}
